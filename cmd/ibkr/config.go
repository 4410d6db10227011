package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Environment variables read for configuration; flags win over them.
const (
	envEnv      = "IBKR_ENV"
	envBaseURL  = "IBKR_BASE_URL"
	envClientID = "IBKR_CLIENT_ID"
	envKeyID    = "IBKR_KEY_ID"
	envKeyFile  = "IBKR_PRIVATE_KEY_FILE"
)

// connFlags are the flags every command that talks to IBKR shares.
type connFlags struct {
	env      string
	baseURL  string
	clientID string
	keyID    string
	keyFile  string
	audience string
	scopes   string
	verbose  bool
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.env, "env", "", "IBKR environment: production or qa (default $"+envEnv+"; this or --base-url is required)")
	fs.StringVar(&c.baseURL, "base-url", "", "talk to this host instead, e.g. a local \"ibkr sandbox\" (default $"+envBaseURL+")")
	fs.StringVar(&c.clientID, "client-id", "", "OAuth client id (default $"+envClientID+")")
	fs.StringVar(&c.keyID, "key-id", "", "key id (kid) IBKR registered for your public key (default $"+envKeyID+")")
	fs.StringVar(&c.keyFile, "key", "", "RSA private key file, PEM (default $"+envKeyFile+")")
	fs.StringVar(&c.audience, "audience", "", "aud claim of the client assertion (default: the full token URL)")
	fs.StringVar(&c.scopes, "scopes", "", "scopes to request, comma or space separated (default: every scope the API uses)")
	fs.BoolVar(&c.verbose, "verbose", false, "log each HTTP exchange on stderr (never tokens, keys or account numbers)")
}

// target is where requests go.
type target struct {
	env     ibkr.Environment // 0 with a base URL
	baseURL string
}

func (t target) String() string {
	if t.env != 0 {
		return fmt.Sprintf("%s (%s)", t.env, t.baseURL)
	}
	return t.baseURL
}

// loopback reports a target on this machine (a local sandbox).
func (t target) loopback() bool {
	u, err := url.Parse(t.baseURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// resolveTarget picks the host from --base-url, --env and the
// environment. Flags win over the environment: either flag alone ignores
// both IBKR_BASE_URL and IBKR_ENV.
func (c *connFlags) resolveTarget(a *app) (target, error) {
	if c.env != "" && c.baseURL != "" {
		return target{}, usagef("give --env or --base-url, not both")
	}
	base, envName := firstNonEmpty(c.baseURL), firstNonEmpty(c.env)
	if base == "" && envName == "" {
		base, envName = firstNonEmpty(a.getenv(envBaseURL)), firstNonEmpty(a.getenv(envEnv))
	}
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return target{}, usagef("--base-url %q is not an http(s) URL", base)
		}
		return target{baseURL: strings.TrimRight(base, "/")}, nil
	}
	env, err := parseEnv(envName)
	if err != nil {
		return target{}, err
	}
	return target{env: env, baseURL: env.BaseURL()}, nil
}

func parseEnv(s string) (ibkr.Environment, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		// No implicit production, as in the library.
		return 0, usagef("no environment chosen: give --env production or --env qa (or $%s), or --base-url (or $%s)", envEnv, envBaseURL)
	case "production", "prod":
		return ibkr.Production, nil
	case "qa":
		return ibkr.QA, nil
	}
	return 0, usagef("unknown environment %q: use production or qa (or --base-url for a local sandbox)", s)
}

// creds are the resolved credentials.
type creds struct {
	clientID string
	keyID    string
	keyFile  string
	key      *rsa.PrivateKey
	bits     int
	format   string   // "PKCS#8" or "PKCS#1"
	warnings []string // e.g. a key file others can read
}

// resolveCreds reads the client id, key id and private key. Problems are
// *configError values naming the flag and variable to set.
func (c *connFlags) resolveCreds(a *app) (*creds, error) {
	cr := &creds{
		clientID: strings.TrimSpace(firstNonEmpty(c.clientID, a.getenv(envClientID))),
		keyID:    strings.TrimSpace(firstNonEmpty(c.keyID, a.getenv(envKeyID))),
		keyFile:  firstNonEmpty(c.keyFile, a.getenv(envKeyFile)),
	}
	key, format, warn, err := loadPrivateKey(cr.keyFile)
	if err != nil {
		return cr, err
	}
	cr.key, cr.format, cr.bits = key, format, key.N.BitLen()
	if warn != "" {
		cr.warnings = append(cr.warnings, warn)
	}
	if cr.clientID == "" {
		return cr, &configError{msg: "no client id", hint: "set --client-id or " + envClientID + " to the client id IBKR gave you"}
	}
	if cr.keyID == "" {
		return cr, &configError{msg: "no key id (kid)", hint: "set --key-id or " + envKeyID + " to the kid IBKR registered for your public key (ibkr keygen prints it)"}
	}
	return cr, nil
}

// loadPrivateKey reads an RSA private key of at least 3072 bits. Errors
// name the file, never its content.
func loadPrivateKey(path string) (*rsa.PrivateKey, string, string, error) {
	if path == "" {
		return nil, "", "", &configError{msg: "no private key file", hint: "set --key or " + envKeyFile + " (ibkr keygen makes one)"}
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", "", &configError{msg: fmt.Sprintf("private key file %s does not exist", path), err: err,
			hint: "check --key / " + envKeyFile + ", or make a key pair with \"ibkr keygen\""}
	case errors.Is(err, fs.ErrPermission):
		return nil, "", "", &configError{msg: fmt.Sprintf("private key file %s is not readable (permission denied)", path), err: err}
	case err != nil:
		return nil, "", "", &configError{msg: fmt.Sprintf("private key file %s: %v", path, unwrapPath(err)), err: err}
	}
	key, format, err := parseRSAPrivateKey(data)
	if err != nil {
		return nil, "", "", &configError{msg: fmt.Sprintf("private key file %s: %s", path, err)}
	}
	if bits := key.N.BitLen(); bits < 3072 {
		return nil, "", "", &configError{
			msg:  fmt.Sprintf("private key %s is RSA-%d: too weak, IBKR requires RSA-3072 or RSA-4096", path, bits),
			hint: "generate a new key pair with \"ibkr keygen\" and register its public key with IBKR",
		}
	}
	warn := ""
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("private key file %s is readable by others (mode %04o); chmod 600 it", path, st.Mode().Perm())
	}
	return key, format, warn, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseRSAPrivateKey reads one RSA private key, PKCS#8 or PKCS#1 PEM.
func parseRSAPrivateKey(data []byte) (*rsa.PrivateKey, string, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("no PEM block found (expected -----BEGIN PRIVATE KEY-----)")
	}
	if _, enc := block.Headers["Proc-Type"]; enc || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, "", errors.New("the key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, "", errors.New("malformed PKCS#8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, "", fmt.Errorf("IBKR requires an RSA key, this is %s", keyKind(k))
		}
		return rk, "PKCS#8", nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, "", errors.New("malformed PKCS#1 RSA private key")
		}
		return k, "PKCS#1", nil
	case "EC PRIVATE KEY":
		return nil, "", errors.New("IBKR requires an RSA key, this is an EC key")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, "", fmt.Errorf("this is a %s, not a private key", strings.ToLower(block.Type))
	}
	return nil, "", fmt.Errorf("unsupported PEM block %q", block.Type)
}

func keyKind(k any) string {
	switch k.(type) {
	case *rsa.PrivateKey:
		return "an RSA key"
	case nil:
		return "no key"
	}
	t := fmt.Sprintf("%T", k)
	switch {
	case strings.Contains(t, "ecdsa"):
		return "an ECDSA key"
	case strings.Contains(t, "ed25519"):
		return "an Ed25519 key"
	}
	return "a " + t
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// clientOptions builds the ibkr.Client options for a target and
// credentials; extra options come last.
func (c *connFlags) clientOptions(a *app, t target, cr *creds, extra ...ibkr.Option) []ibkr.Option {
	opts := []ibkr.Option{ibkr.WithCredentials(cr.clientID, cr.keyID, cr.key)}
	if t.env != 0 {
		opts = append(opts, ibkr.WithEnvironment(t.env))
	} else {
		opts = append(opts, ibkr.WithBaseURL(t.baseURL))
	}
	if t.loopback() {
		// A local sandbox keeps (or skips) IBKR's maintenance windows
		// itself; let it decide.
		opts = append(opts, ibkr.WithoutMaintenanceWindows())
	}
	if c.audience != "" {
		opts = append(opts, ibkr.WithAudience(c.audience))
	}
	if sc := splitScopes(c.scopes); len(sc) > 0 {
		opts = append(opts, ibkr.WithScopes(sc...))
	}
	if c.verbose {
		opts = append(opts, ibkr.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append(opts, ibkr.WithUserAgent("ibkr-cli/"+version()+" "+ibkr.DefaultUserAgent))
	return append(opts, extra...)
}

// newClient resolves everything and builds a client.
func (c *connFlags) newClient(a *app, extra ...ibkr.Option) (*ibkr.Client, target, error) {
	t, err := c.resolveTarget(a)
	if err != nil {
		return nil, t, err
	}
	cr, err := c.resolveCreds(a)
	if err != nil {
		return nil, t, err
	}
	for _, w := range cr.warnings {
		a.note("warning: %s", w)
	}
	cl, err := ibkr.New(c.clientOptions(a, t, cr, append([]ibkr.Option{ibkr.WithHTTPClient(&http.Client{Timeout: 30 * time.Second})}, extra...)...)...)
	if err != nil {
		return nil, t, &configError{msg: errorMessage(err), err: err}
	}
	return cl, t, nil
}
