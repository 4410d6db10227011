// Package consolebrowser holds the end-to-end tests of the sandbox
// console (ibkrtest.ConsoleHandler) in a real headless Chromium, driven
// by chromedp. It is a package of its own so that the browser driver is
// linked only by these tests, never by programs using the SDK or the
// sandbox.
//
// The tests need Debian's chromium (/usr/bin/chromium, or CHROMIUM).
// Without it they skip, except when CI=true, where they fail. They save a
// screenshot of each page in the test's artifact directory (go test
// -artifacts keeps it); IBKR_UPDATE_SCREENSHOTS=1 also rewrites
// docs/console-accounts.png, the picture in the README.
package consolebrowser
