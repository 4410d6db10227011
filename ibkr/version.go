package ibkr

// Version is the release of ibkr-go this package belongs to, in semantic
// versioning without the leading "v" (the module tag is "v" + Version).
// CHANGELOG.md lists what each release changed; DefaultUserAgent carries
// it.
const Version = "0.1.0"
