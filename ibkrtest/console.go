package ibkrtest

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The console: server-rendered pages over the same views and controls as
// the JSON endpoints (control_api.go, control_actions.go), from templates
// embedded in the binary. Forms carry the CSRF token as a field; pages
// carry no secret (bank account numbers are masked in the views, the
// request log masks bodies and leaves headers out).

//go:embed console/*.html console/console.css console/console.js
var consoleFS embed.FS

var consoleFuncs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	"lower": strings.ToLower,
	"micros": func(us int64) string {
		return (time.Duration(us) * time.Microsecond).Round(10 * time.Microsecond).String()
	},
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"ctl": ctl,
}

// control is a one-button form posting a control.
type control struct {
	Action, Label, Class, CSRF, Back string
	Fields                           map[string]string
}

// ctl builds a control button for a page: kv are hidden field names and
// values.
func ctl(p pageData, action, label, class string, kv ...string) control {
	c := control{Action: action, Label: label, Class: class, CSRF: p.CSRF, Back: p.Back, Fields: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Fields[kv[i]] = kv[i+1]
	}
	return c
}

// consolePages are the pages, each the layout plus its own template.
var consolePages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, p := range []string{"accounts", "instructions", "requests", "controls", "flex"} {
		out[p] = template.Must(template.New("layout.html").Funcs(consoleFuncs).ParseFS(consoleFS, "console/layout.html", "console/"+p+".html"))
	}
	return out
}()

// pageData is what every page gets.
type pageData struct {
	Page  string
	CSRF  string
	Clock ClockView
	// Done and Error report the last control (after its redirect).
	Done, Error string
	// Back is the page's own URL, where controls return.
	Back string
	Data any
}

// pager is the pagination of a list page.
type pager struct {
	Total, From, To int
	Prev, Next      string
}

func makePager(r *http.Request, total, offset, limit, n int) pager {
	p := pager{Total: total, From: offset + 1, To: offset + n}
	if n == 0 {
		p.From = 0
	}
	link := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return r.URL.Path + "?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if offset+n < total {
		p.Next = link(offset + limit)
	}
	return p
}

func (s *Sandbox) routeConsole(mux *http.ServeMux) {
	mux.HandleFunc("GET "+ConsolePath+"{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, ConsolePath+"accounts", http.StatusSeeOther)
	})
	mux.HandleFunc("GET "+ConsolePath+"static/{file}", func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		ct := map[string]string{"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}[file]
		if ct == "" {
			http.NotFound(w, r)
			return
		}
		b, _ := consoleFS.ReadFile("console/" + file)
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
	page := func(name string, data func(r *http.Request) (any, error)) {
		mux.HandleFunc("GET "+ConsolePath+name, func(w http.ResponseWriter, r *http.Request) {
			d, err := data(r)
			pd := pageData{Page: name, CSRF: s.console.token, Clock: s.ClockView(), Back: r.URL.RequestURI(),
				Done: r.URL.Query().Get("done"), Error: r.URL.Query().Get("error"), Data: d}
			if err != nil {
				pd.Error = err.Error()
			}
			s.renderPage(w, name, pd)
		})
	}
	page("accounts", func(r *http.Request) (any, error) {
		offset, limit, err := pageParams(r)
		if err != nil {
			return nil, err
		}
		p := s.AccountPage(offset, limit)
		return struct {
			AccountPage
			Pager pager
		}{p, makePager(r, p.Total, p.Offset, p.Limit, len(p.Items))}, nil
	})
	page("instructions", func(r *http.Request) (any, error) {
		f, err := instructionFilter(r)
		if err != nil {
			return nil, err
		}
		p := s.InstructionPage(f)
		return struct {
			InstructionPage
			Filter   InstructionFilter
			Accounts []string
			States   []string
			Pager    pager
		}{p, f, s.accountIDs(200), []string{StatusPending, StatusPendingVerification, StatusProcessed, StatusRejected},
			makePager(r, p.Total, p.Offset, p.Limit, len(p.Items))}, nil
	})
	page("requests", func(r *http.Request) (any, error) {
		f, err := requestFilter(r)
		if err != nil {
			return nil, err
		}
		p := s.RequestPage(f)
		return struct {
			RequestPage
			Filter     RequestFilter
			Operations []string
			Pager      pager
		}{p, f, operationIDs(), makePager(r, p.Total, p.Offset, p.Limit, len(p.Items))}, nil
	})
	page("flex", func(*http.Request) (any, error) { return s.FlexView(), nil })
	page("controls", func(*http.Request) (any, error) {
		return struct {
			Faults     FaultsView
			Pending    InstructionPage
			Operations []string
		}{s.FaultsView(), s.InstructionPage(InstructionFilter{Status: StatusPending, Limit: 20}), operationIDs()}, nil
	})
	mux.HandleFunc("POST "+ConsolePath+"control/{action}", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxControlBody)
		if err := r.ParseForm(); err != nil || !s.csrfOK(r.PostForm.Get("csrf")) || !sameOrigin(r) {
			http.Error(w, "refused: the form lacks this sandbox's CSRF token or comes from another site", http.StatusForbidden)
			return
		}
		f := r.PostForm
		c := ControlRequest{
			Duration: f.Get("duration"), ToNextEvent: f.Get("toNextEvent") != "", InstructionID: strings.TrimSpace(f.Get("instructionId")),
			Code: f.Get("code"), Message: f.Get("message"), AccountID: strings.TrimSpace(f.Get("accountId")),
			Kind: f.Get("kind"), OperationID: f.Get("operationId"), Delay: f.Get("delay"), On: f.Get("on") == "true",
		}
		var err error
		if v := f.Get("count"); v != "" {
			c.Count, err = strconv.Atoi(v)
		}
		if v := f.Get("status"); v != "" && err == nil {
			c.Status, err = strconv.Atoi(v)
		}
		q := url.Values{}
		if err != nil {
			q.Set("error", "count and status are whole numbers")
		} else if res, err := s.runControl(r.PathValue("action"), c); err != nil {
			q.Set("error", err.Error())
		} else {
			q.Set("done", res.Done)
		}
		back := f.Get("back")
		if !strings.HasPrefix(back, ConsolePath) || strings.ContainsAny(back, "\\\r\n") {
			back = ConsolePath + "controls"
		}
		u, perr := url.Parse(back)
		if perr != nil {
			u = &url.URL{Path: ConsolePath + "controls"}
		}
		old := u.Query()
		old.Del("done")
		old.Del("error")
		for k, v := range q {
			old[k] = v
		}
		u.RawQuery = old.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
	})
}

// sameOrigin refuses a form posted from another origin when the browser
// says where it comes from (the CSRF token already does; this is a second
// lock).
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return r.Header.Get("Sec-Fetch-Site") == "" || r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Sandbox) renderPage(w http.ResponseWriter, name string, pd pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	if err := consolePages[name].Execute(w, pd); err != nil {
		s.logger.Error("ibkrtest: console page failed", "page", name, "err", err)
	}
}

// accountIDs lists the account ids for a filter's suggestions, none when
// there are more than limit.
func (s *Sandbox) accountIDs(limit int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.Accounts) > limit {
		return nil
	}
	out := make([]string, 0, len(s.st.Accounts))
	for id := range s.st.Accounts {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func operationIDs() []string {
	out := make([]string, 0, len(optable.Operations))
	for _, op := range optable.Operations {
		out = append(out, op.ID)
	}
	slices.Sort(out)
	return out
}
