// Package apicheck holds tests of the public API as a user sees it: what
// "go doc" shows of the public packages, and what must not compile.
package apicheck
