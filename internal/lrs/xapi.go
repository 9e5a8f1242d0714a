package lrs

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/errs"
)

// Version is the xAPI version dxhub speaks.
const Version = "1.0.3"

// maxBody bounds what one request may send (statements with attachments).
const maxBody = 32 << 20

// Handler serves the xAPI resources under /xapi/.
type Handler struct {
	Store *Store
}

// xerr is an xAPI error answer.
type xerr struct {
	status int
	msg    string
}

func (e *xerr) Error() string { return e.msg }

func fail(status int, format string, args ...any) error {
	return &xerr{status, fmt.Sprintf(format, args...)}
}

// request is one xAPI call after the alternate request syntax (a POST
// carrying method, headers and content in a form) is unfolded.
type request struct {
	method  string
	params  url.Values
	header  http.Header
	body    []byte
	client  *Client
	path    string
	hasBody bool
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Experience-API-Version", Version)
	if origin := r.Header.Get("Origin"); origin != "" && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		// A CORS preflight carries no credentials and reveals nothing: the
		// request itself is answered to the page's origin only when its
		// credentials were issued for content from that origin.
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
		hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match")
		hd.Set("Access-Control-Max-Age", "600")
		hd.Add("Vary", "Origin")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	err := h.serve(w, r)
	if err == nil {
		return
	}
	status := http.StatusInternalServerError
	msg := "internal error"
	var xe *xerr
	var ve *ValidationError
	switch {
	case errors.As(err, &xe):
		status, msg = xe.status, xe.msg
	case errors.As(err, &ve):
		status, msg = http.StatusBadRequest, ve.Error()
	case errs.Is(err, errs.Conflict):
		status, msg = http.StatusConflict, "a statement with this id is already stored with different content"
	case errs.Is(err, errs.Unauthorized):
		status, msg = http.StatusUnauthorized, "unknown or revoked credentials"
	default:
		h.Store.Log.Error("xapi", "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="dxhub xAPI"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": true, "message": msg})
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	// Credentials come before the body is read, so that nobody unknown
	// makes the server read a large body. With the alternate request
	// syntax they are inside the form body, which is read first.
	var early *Client
	if !r.URL.Query().Has("method") && strings.Trim(strings.TrimPrefix(r.URL.Path, "/xapi"), "/") != "about" {
		if err := checkVersion(r.Header.Get("X-Experience-API-Version")); err != nil {
			return err
		}
		c, err := h.authenticate(r, r.Header.Get("Authorization"))
		if err != nil {
			return err
		}
		early = c
	}
	rq, err := unfold(r)
	if err != nil {
		return err
	}
	if rq.path == "about" {
		if rq.method != http.MethodGet && rq.method != http.MethodHead {
			return fail(http.StatusMethodNotAllowed, "method not allowed")
		}
		return writeJSON(w, rq, http.StatusOK, map[string]any{"version": []string{"1.0.3", "1.0.2", "1.0.1", "1.0.0"}})
	}
	rq.client = early
	if rq.client == nil {
		if err := checkVersion(rq.header.Get("X-Experience-API-Version")); err != nil {
			return err
		}
		if rq.client, err = h.authenticate(r, rq.header.Get("Authorization")); err != nil {
			return err
		}
	}
	if origin := r.Header.Get("Origin"); origin != "" && rq.client.Bound() && origin == rq.client.Launch.Origin {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Set("Access-Control-Expose-Headers", "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through")
		hd.Add("Vary", "Origin")
	}
	switch rq.path {
	case "statements":
		return h.statements(w, r, rq)
	case "activities/state":
		return h.document(w, r, rq, "state")
	case "activities/profile":
		return h.document(w, r, rq, "activity")
	case "agents/profile":
		return h.document(w, r, rq, "agent")
	case "activities":
		return h.activities(w, r, rq)
	case "agents":
		return h.agents(w, r, rq)
	}
	return fail(http.StatusNotFound, "no such resource")
}

func checkVersion(v string) error {
	if v == "" {
		return fail(http.StatusBadRequest, "the X-Experience-API-Version header is required")
	}
	if !versionRe.MatchString(v) {
		return fail(http.StatusBadRequest, "xAPI version %q is not supported", v)
	}
	return nil
}

func (h *Handler) authenticate(r *http.Request, header string) (*Client, error) {
	key, secret, ok := basicAuth(header)
	if !ok {
		return nil, fail(http.StatusUnauthorized, "HTTP Basic credentials are required")
	}
	return h.Store.Authenticate(r.Context(), key, secret)
}

func basicAuth(h string) (string, string, bool) {
	enc, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	k, s, ok := strings.Cut(string(b), ":")
	return k, s, ok
}

// unfold reads the request, undoing the alternate request syntax.
func unfold(r *http.Request) (*request, error) {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/xapi"), "/")
	rq := &request{method: r.Method, header: r.Header.Clone(), path: path}
	q := r.URL.Query()
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, fail(http.StatusRequestEntityTooLarge, "the request is larger than %d bytes", maxBody)
	}
	if m := q.Get("method"); m != "" || q.Has("method") {
		if r.Method != http.MethodPost {
			return nil, fail(http.StatusBadRequest, "the method parameter is only allowed on POST")
		}
		if len(q) != 1 {
			return nil, fail(http.StatusBadRequest, "with the alternate request syntax, method must be the only query parameter")
		}
		m = strings.ToUpper(m)
		switch m {
		case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead:
		default:
			return nil, fail(http.StatusBadRequest, "method %q is not allowed", m)
		}
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			return nil, fail(http.StatusBadRequest, "the alternate request syntax needs a form body")
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fail(http.StatusBadRequest, "the form body cannot be read")
		}
		rq.method = m
		rq.params = url.Values{}
		rq.body = nil
		rq.header.Del("Content-Type")
		for k, vs := range form {
			switch k {
			case "content":
				rq.body = []byte(vs[0])
				rq.hasBody = true
			case "Authorization", "X-Experience-API-Version", "Content-Type", "Content-Length", "If-Match", "If-None-Match":
				rq.header.Set(k, vs[0])
			default:
				rq.params[k] = vs
			}
		}
		if rq.hasBody && rq.header.Get("Content-Type") == "" {
			rq.header.Set("Content-Type", "application/json")
		}
		return rq, nil
	}
	rq.params = q
	rq.body = body
	rq.hasBody = len(body) > 0
	return rq, nil
}

func writeJSON(w http.ResponseWriter, rq *request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeRaw(w, rq, status, "application/json", b)
}

func writeRaw(w http.ResponseWriter, rq *request, status int, ct string, b []byte) error {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if rq.method != http.MethodHead {
		w.Write(b)
	}
	return nil
}

// params checks that only the allowed parameters are present.
func checkParams(p url.Values, allowed ...string) error {
	for k := range p {
		if !contains(allowed, k) {
			return fail(http.StatusBadRequest, "parameter %q is not allowed here", k)
		}
	}
	return nil
}

func agentParam(p url.Values, name string, required bool) (string, obj, error) {
	s := p.Get(name)
	if s == "" {
		if required {
			return "", nil, fail(http.StatusBadRequest, "parameter %s is required", name)
		}
		return "", nil, nil
	}
	var v any
	if err := decode([]byte(s), &v); err != nil {
		return "", nil, fail(http.StatusBadRequest, "parameter %s must be a JSON agent", name)
	}
	if err := actor(name, v); err != nil {
		return "", nil, fail(http.StatusBadRequest, "parameter %s: %v", name, err)
	}
	return AgentKey(v), v.(obj), nil
}

func iriParam(p url.Values, name string, required bool) (string, error) {
	s := p.Get(name)
	if s == "" {
		if required {
			return "", fail(http.StatusBadRequest, "parameter %s is required", name)
		}
		return "", nil
	}
	if !isIRI(s) {
		return "", fail(http.StatusBadRequest, "parameter %s must be an IRI", name)
	}
	return s, nil
}

func timeParam(p url.Values, name string) (time.Time, error) {
	s := p.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parseTimestamp(s)
	if err != nil || !timestampRe.MatchString(s) {
		return time.Time{}, fail(http.StatusBadRequest, "parameter %s must be an ISO 8601 timestamp", name)
	}
	return t, nil
}

func boolParam(p url.Values, name string) (bool, error) {
	switch p.Get(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fail(http.StatusBadRequest, "parameter %s must be true or false", name)
}

func (h *Handler) statements(w http.ResponseWriter, r *http.Request, rq *request) error {
	switch rq.method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("X-Experience-API-Consistent-Through", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
		return h.getStatements(w, r, rq)
	case http.MethodPut:
		if err := checkParams(rq.params, "statementId"); err != nil {
			return err
		}
		id := rq.params.Get("statementId")
		if id == "" {
			return fail(http.StatusBadRequest, "parameter statementId is required")
		}
		if !isUUID(id) {
			return fail(http.StatusBadRequest, "parameter statementId must be a UUID")
		}
		stmts, atts, err := readStatements(rq)
		if err != nil {
			return err
		}
		if len(stmts) != 1 {
			return fail(http.StatusBadRequest, "PUT takes exactly one statement")
		}
		if sid, ok := stmts[0]["id"]; ok && !strings.EqualFold(fmt.Sprint(sid), id) {
			return fail(http.StatusBadRequest, "the statement's id differs from statementId")
		}
		stmts[0]["id"] = id
		if _, err := h.save(r, rq, stmts, atts); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case http.MethodPost:
		if err := checkParams(rq.params); err != nil {
			return err
		}
		stmts, atts, err := readStatements(rq)
		if err != nil {
			return err
		}
		ids, err := h.save(r, rq, stmts, atts)
		if err != nil {
			return err
		}
		return writeJSON(w, rq, http.StatusOK, ids)
	}
	return fail(http.StatusMethodNotAllowed, "method not allowed")
}

// save stores statements and then their attachments' content.
func (h *Handler) save(r *http.Request, rq *request, stmts []obj, atts []Attachment) ([]string, error) {
	if rq.client.Bound() {
		for i, st := range stmts {
			if err := launchMayWrite(rq.client.Launch, st); err != nil {
				return nil, fail(http.StatusForbidden, "statement %d: %v", i, err)
			}
		}
	}
	ids, err := h.Store.Save(r.Context(), rq.client, stmts)
	if err != nil {
		return nil, err
	}
	return ids, h.Store.SaveAttachments(r.Context(), rq.client.UnitPath, atts)
}

// launchMayWrite checks a statement sent with launch credentials: by the
// learner they were issued to, about their activity (or a part of it, or
// with it as context), in their registration, and voiding nothing.
func launchMayWrite(l Launch, st obj) error {
	if AgentKey(st["actor"]) != l.Actor {
		return errors.New("launch credentials write statements of their own learner only")
	}
	verb, _ := st["verb"].(obj)
	if verb["id"] == VerbVoided {
		return errors.New("launch credentials cannot void statements")
	}
	if l.Registration != "" {
		c, _ := st["context"].(obj)
		if reg, _ := c["registration"].(string); !strings.EqualFold(reg, l.Registration) {
			return errors.New("the statement's context.registration must be the launch's registration")
		}
	}
	o, _ := st["object"].(obj)
	if t, _ := o["objectType"].(string); t == "" || t == "Activity" {
		if id, _ := o["id"].(string); withinActivity(l.Activity, id) {
			return nil
		}
	}
	c, _ := st["context"].(obj)
	ca, _ := c["contextActivities"].(obj)
	for _, v := range ca {
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		for _, a := range list {
			if ao, ok := a.(obj); ok && ao["id"] == l.Activity {
				return nil
			}
		}
	}
	return errors.New("launch credentials write statements about their own activity only")
}

// withinActivity reports whether id is the activity or one of its parts
// (an IRI under it).
func withinActivity(activity, id string) bool {
	if id == activity {
		return true
	}
	rest, ok := strings.CutPrefix(id, activity)
	return ok && rest != "" && strings.ContainsRune("/#?", rune(rest[0]))
}

// readStatements parses a statements body: JSON (one statement or an
// array) or multipart/mixed with the attachments' content after it.
func readStatements(rq *request) ([]obj, []Attachment, error) {
	ct, params, err := mime.ParseMediaType(rq.header.Get("Content-Type"))
	if err != nil && rq.header.Get("Content-Type") != "" {
		return nil, nil, fail(http.StatusBadRequest, "bad Content-Type")
	}
	var jsonPart []byte
	parts := map[string]Attachment{}
	switch ct {
	case "application/json", "":
		jsonPart = rq.body
	case "multipart/mixed":
		mr := multipart.NewReader(bytes.NewReader(rq.body), params["boundary"])
		for i := 0; ; i++ {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, fail(http.StatusBadRequest, "the multipart body cannot be read: %v", err)
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, fail(http.StatusBadRequest, "the multipart body cannot be read: %v", err)
			}
			pct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if i == 0 {
				if pct != "application/json" {
					return nil, nil, fail(http.StatusBadRequest, "the first part must be application/json")
				}
				jsonPart = b
				continue
			}
			hash := p.Header.Get("X-Experience-API-Hash")
			if hash == "" {
				return nil, nil, fail(http.StatusBadRequest, "part %d has no X-Experience-API-Hash header", i+1)
			}
			if te := p.Header.Get("Content-Transfer-Encoding"); te != "binary" {
				return nil, nil, fail(http.StatusBadRequest, "part %d must have Content-Transfer-Encoding: binary", i+1)
			}
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != strings.ToLower(hash) {
				return nil, nil, fail(http.StatusBadRequest, "part %d does not match its X-Experience-API-Hash", i+1)
			}
			parts[strings.ToLower(hash)] = Attachment{SHA2: strings.ToLower(hash), ContentType: p.Header.Get("Content-Type"), Content: b}
		}
	default:
		return nil, nil, fail(http.StatusBadRequest, "Content-Type must be application/json or multipart/mixed")
	}
	var v any
	if err := decode(jsonPart, &v); err != nil {
		return nil, nil, fail(http.StatusBadRequest, "the body is not JSON: %v", err)
	}
	var stmts []obj
	switch t := v.(type) {
	case obj:
		stmts = []obj{t}
	case []any:
		for i, x := range t {
			o, ok := x.(obj)
			if !ok {
				return nil, nil, fail(http.StatusBadRequest, "statement %d is not an object", i)
			}
			stmts = append(stmts, o)
		}
	default:
		return nil, nil, fail(http.StatusBadRequest, "the body must be a statement or an array of statements")
	}
	used := map[string]bool{}
	var atts []Attachment
	for i, st := range stmts {
		list, _ := st["attachments"].([]any)
		for j, a := range list {
			ao, ok := a.(obj)
			if !ok {
				continue // Validate reports it
			}
			sha, _ := ao["sha2"].(string)
			sha = strings.ToLower(sha)
			if ao["usageType"] == "http://adlnet.gov/expapi/attachments/signature" {
				part, ok := parts[sha]
				if !ok {
					return nil, nil, fail(http.StatusBadRequest, "statement %d: the signature attachment has no part", i)
				}
				if ao["contentType"] != "application/octet-stream" {
					return nil, nil, fail(http.StatusBadRequest, "statement %d: a signature's contentType must be application/octet-stream", i)
				}
				if err := checkSignature(st, part.Content); err != nil {
					return nil, nil, fail(http.StatusBadRequest, "statement %d: %v", i, err)
				}
			}
			if _, hasURL := ao["fileUrl"]; hasURL {
				if p, ok := parts[sha]; ok {
					used[sha] = true
					atts = append(atts, p)
				}
				continue
			}
			p, ok := parts[sha]
			if !ok {
				return nil, nil, fail(http.StatusBadRequest, "statement %d attachment %d: no part carries its content (sha2 %s)", i, j, sha)
			}
			if !used[sha] {
				atts = append(atts, p)
			}
			used[sha] = true
		}
	}
	for sha := range parts {
		if !used[sha] {
			return nil, nil, fail(http.StatusBadRequest, "a part (sha2 %s) is not an attachment of any statement", sha)
		}
	}
	return stmts, atts, nil
}

// checkSignature checks a JWS (compact serialisation) signing statement st:
// an RS256/384/512 header and a payload equal to the statement.
func checkSignature(st obj, jws []byte) error {
	segs := strings.Split(strings.TrimSpace(string(jws)), ".")
	if len(segs) != 3 {
		return errors.New("the signature is not a JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segs[0], "="))
	if err != nil {
		return errors.New("the signature's header is not base64url")
	}
	var hdr struct {
		Alg string   `json:"alg"`
		X5c []string `json:"x5c"`
	}
	if json.Unmarshal(hb, &hdr) != nil {
		return errors.New("the signature's header is not JSON")
	}
	var hash crypto.Hash
	switch hdr.Alg {
	case "RS256":
		hash = crypto.SHA256
	case "RS384":
		hash = crypto.SHA384
	case "RS512":
		hash = crypto.SHA512
	default:
		return fmt.Errorf("signature algorithm %q is not allowed", hdr.Alg)
	}
	pb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segs[1], "="))
	if err != nil {
		return errors.New("the signature's payload is not base64url")
	}
	var payload obj
	if decode(pb, &payload) != nil {
		return errors.New("the signature's payload is not a statement")
	}
	for _, k := range []string{"actor", "verb", "object", "result", "context"} {
		a, _ := json.Marshal(payload[k])
		b, _ := json.Marshal(st[k])
		if !bytes.Equal(a, b) {
			return fmt.Errorf("the signed payload differs from the statement in %s", k)
		}
	}
	// With the signer's certificate in the header (x5c), as xAPI advises,
	// the signature is verified with its public key. Without one there is
	// no key to verify with: the header, algorithm and payload are checked.
	if len(hdr.X5c) == 0 {
		return nil
	}
	der, err := base64.StdEncoding.DecodeString(hdr.X5c[0])
	if err != nil {
		return errors.New("the signature's x5c certificate is not base64")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return errors.New("the signature's x5c certificate cannot be read")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the signature's certificate does not hold an RSA key")
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segs[2], "="))
	if err != nil {
		return errors.New("the signature is not base64url")
	}
	h := hash.New()
	h.Write([]byte(segs[0] + "." + segs[1]))
	if err := rsa.VerifyPKCS1v15(pub, hash, h.Sum(nil), sig); err != nil {
		return errors.New("the signature does not verify with the key of its x5c certificate")
	}
	return nil
}

var statementParams = []string{"statementId", "voidedStatementId", "agent", "verb", "activity", "registration", "related_activities", "related_agents", "since", "until", "limit", "format", "attachments", "ascending", "cursor"}

func (h *Handler) getStatements(w http.ResponseWriter, r *http.Request, rq *request) error {
	p := rq.params
	if err := checkParams(p, statementParams...); err != nil {
		return err
	}
	format := p.Get("format")
	if format == "" {
		format = "exact"
	}
	if format != "exact" && format != "ids" && format != "canonical" {
		return fail(http.StatusBadRequest, "parameter format must be ids, exact or canonical")
	}
	withAtts, err := boolParam(p, "attachments")
	if err != nil {
		return err
	}
	langs := acceptLanguages(rq.header.Get("Accept-Language"))
	sid, vid := p.Get("statementId"), p.Get("voidedStatementId")
	if sid != "" || vid != "" {
		for k := range p {
			if k != "statementId" && k != "voidedStatementId" && k != "format" && k != "attachments" {
				return fail(http.StatusBadRequest, "parameter %s cannot be used with statementId or voidedStatementId", k)
			}
		}
		if sid != "" && vid != "" {
			return fail(http.StatusBadRequest, "use statementId or voidedStatementId, not both")
		}
		id := sid + vid
		if !isUUID(id) {
			return fail(http.StatusBadRequest, "the statement id must be a UUID")
		}
		body, err := h.Store.One(r.Context(), rq.client.UnitPath, id, vid != "")
		if errors.Is(err, ErrNotFound) {
			return fail(http.StatusNotFound, "no statement %s", id)
		}
		if err != nil {
			return err
		}
		if rq.client.Bound() {
			var whole obj
			if err := decode(body, &whole); err != nil {
				return err
			}
			if AgentKey(whole["actor"]) != rq.client.Launch.Actor {
				return fail(http.StatusNotFound, "no statement %s", id)
			}
		}
		st, err := shape(body, format, langs)
		if err != nil {
			return err
		}
		if last := lastModified(st); last != "" {
			w.Header().Set("Last-Modified", last)
		}
		return h.respond(w, r, rq, st, []obj{st}, withAtts)
	}
	q := Query{Scope: rq.client.UnitPath}
	if q.Agent, _, err = agentParam(p, "agent", false); err != nil {
		return err
	}
	if rq.client.Bound() {
		// Launch credentials read their own learner's statements only.
		if q.Agent != "" && q.Agent != rq.client.Launch.Actor {
			return fail(http.StatusForbidden, "launch credentials read their own learner's statements only")
		}
		q.Agent = rq.client.Launch.Actor
	}
	if q.Verb, err = iriParam(p, "verb", false); err != nil {
		return err
	}
	if q.Activity, err = iriParam(p, "activity", false); err != nil {
		return err
	}
	if q.Registration = p.Get("registration"); q.Registration != "" && !isUUID(q.Registration) {
		return fail(http.StatusBadRequest, "parameter registration must be a UUID")
	}
	if q.RelatedActivities, err = boolParam(p, "related_activities"); err != nil {
		return err
	}
	if q.RelatedAgents, err = boolParam(p, "related_agents"); err != nil {
		return err
	}
	if q.Ascending, err = boolParam(p, "ascending"); err != nil {
		return err
	}
	if q.Since, err = timeParam(p, "since"); err != nil {
		return err
	}
	if q.Until, err = timeParam(p, "until"); err != nil {
		return err
	}
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return fail(http.StatusBadRequest, "parameter limit must be a whole number")
		}
		q.Limit = n
	}
	if c := p.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n <= 0 {
			return fail(http.StatusBadRequest, "parameter cursor is not valid")
		}
		q.After = n
	}
	page, err := h.Store.Find(r.Context(), q)
	if err != nil {
		return err
	}
	more := ""
	if page.Next > 0 {
		np := url.Values{}
		for k, v := range p {
			np[k] = v
		}
		np.Set("cursor", strconv.FormatInt(page.Next, 10))
		more = "/xapi/statements?" + np.Encode()
	}
	if format == "exact" && !withAtts {
		// Stored as they are returned (compact JSON from marshal): no need
		// to decode them, nor to have json.Marshal check and copy each.
		m, err := json.Marshal(more)
		if err != nil {
			return err
		}
		n := len(m) + 32
		for _, b := range page.Statements {
			n += len(b) + 1
		}
		b := append(append(append(make([]byte, 0, n), `{"more":`...), m...), `,"statements":[`...)
		for i, st := range page.Statements {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, st...)
		}
		return writeRaw(w, rq, http.StatusOK, "application/json", append(b, "]}"...))
	}
	list := make([]obj, 0, len(page.Statements))
	for _, b := range page.Statements {
		st, err := shape(b, format, langs)
		if err != nil {
			return err
		}
		list = append(list, st)
	}
	res := map[string]any{"statements": list, "more": more}
	return h.respond(w, r, rq, res, list, withAtts)
}

func lastModified(st obj) string {
	s, _ := st["stored"].(string)
	t, err := parseTimestamp(s)
	if err != nil {
		return ""
	}
	return t.UTC().Format(http.TimeFormat)
}

// respond writes a statement result as JSON, or with attachments as
// multipart/mixed: the JSON first, then each attachment's content.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, rq *request, v any, stmts []obj, withAtts bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !withAtts {
		return writeRaw(w, rq, http.StatusOK, "application/json", b)
	}
	var hashes []string
	seen := map[string]bool{}
	for _, st := range stmts {
		list, _ := st["attachments"].([]any)
		for _, a := range list {
			ao, _ := a.(obj)
			if sha, _ := ao["sha2"].(string); sha != "" && !seen[strings.ToLower(sha)] {
				seen[strings.ToLower(sha)] = true
				hashes = append(hashes, strings.ToLower(sha))
			}
		}
	}
	atts, err := h.Store.Attachments(r.Context(), rq.client.UnitPath, hashes)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json"}})
	pw.Write(b)
	for _, a := range atts {
		pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {a.ContentType}, "Content-Transfer-Encoding": {"binary"}, "X-Experience-API-Hash": {a.SHA2}})
		pw.Write(a.Content)
	}
	mw.Close()
	return writeRaw(w, rq, http.StatusOK, "multipart/mixed; boundary="+mw.Boundary(), buf.Bytes())
}

func acceptLanguages(h string) []string {
	var out []string
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if tag != "" {
			out = append(out, strings.ToLower(tag))
		}
	}
	return out
}

// shape turns a stored statement into the requested format: exact as
// stored; ids with agents, groups and activities reduced to their
// identifiers; canonical with each language map reduced to one language.
func shape(body []byte, format string, langs []string) (obj, error) {
	var st obj
	if err := decode(body, &st); err != nil {
		return nil, err
	}
	switch format {
	case "ids":
		idsOnly(st)
	case "canonical":
		canonical(st, langs)
	}
	return st, nil
}

func idsAgent(v any) {
	o, ok := v.(obj)
	if !ok {
		return
	}
	delete(o, "name")
	if m, ok := o["member"].([]any); ok {
		if AgentKey(o) != "" {
			delete(o, "member")
		} else {
			for _, x := range m {
				idsAgent(x)
			}
		}
	}
}

func idsOnly(st obj) {
	idsAgent(st["actor"])
	idsAgent(st["authority"])
	if v, ok := st["verb"].(obj); ok {
		delete(v, "display")
	}
	if o, ok := st["object"].(obj); ok {
		switch t, _ := o["objectType"].(string); t {
		case "", "Activity":
			delete(o, "definition")
			delete(o, "objectType")
		case "Agent", "Group":
			idsAgent(o)
		case "SubStatement":
			idsOnly(o)
		}
	}
	if c, ok := st["context"].(obj); ok {
		idsAgent(c["instructor"])
		idsAgent(c["team"])
		if ca, ok := c["contextActivities"].(obj); ok {
			for _, v := range ca {
				if list, ok := v.([]any); ok {
					for _, a := range list {
						if ao, ok := a.(obj); ok {
							delete(ao, "definition")
						}
					}
				} else if ao, ok := v.(obj); ok {
					delete(ao, "definition")
				}
			}
		}
	}
}

// canonical keeps, in every language map, the entry best matching langs.
func canonical(v any, langs []string) {
	switch t := v.(type) {
	case obj:
		for k, x := range t {
			if (k == "display" || k == "name" || k == "description") && isLangMap(x) {
				t[k] = pickLang(x.(obj), langs)
				continue
			}
			if k == "extensions" {
				continue
			}
			canonical(x, langs)
		}
	case []any:
		for _, x := range t {
			canonical(x, langs)
		}
	}
}

func isLangMap(v any) bool {
	o, ok := v.(obj)
	if !ok {
		return false
	}
	for k, x := range o {
		if _, ok := x.(string); !ok || !langTagRe.MatchString(k) {
			return false
		}
	}
	return true
}

func pickLang(m obj, langs []string) obj {
	for _, l := range langs {
		for k, v := range m {
			if strings.ToLower(k) == l || strings.HasPrefix(strings.ToLower(k), l+"-") {
				return obj{k: v}
			}
		}
	}
	for _, k := range []string{"en-US", "en", "vi-VN", "vi", "und"} {
		if v, ok := m[k]; ok {
			return obj{k: v}
		}
	}
	for k, v := range m {
		return obj{k: v}
	}
	return m
}

// activities answers the Activities resource: the canonical definition.
func (h *Handler) activities(w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.method != http.MethodGet && rq.method != http.MethodHead {
		return fail(http.StatusMethodNotAllowed, "method not allowed")
	}
	if err := checkParams(rq.params, "activityId"); err != nil {
		return err
	}
	id, err := iriParam(rq.params, "activityId", true)
	if err != nil {
		return err
	}
	if rq.client.Bound() && !withinActivity(rq.client.Launch.Activity, id) {
		return fail(http.StatusForbidden, "launch credentials read their own activity only")
	}
	def, err := h.Store.Activity(r.Context(), rq.client.UnitPath, id)
	if err != nil {
		return err
	}
	a := obj{"objectType": "Activity", "id": id}
	if def != "" {
		var d any
		if decode([]byte(def), &d) == nil {
			a["definition"] = d
		}
	}
	return writeJSON(w, rq, http.StatusOK, a)
}

// agents answers the Agents resource: a Person with the agent's
// identifiers.
func (h *Handler) agents(w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.method != http.MethodGet && rq.method != http.MethodHead {
		return fail(http.StatusMethodNotAllowed, "method not allowed")
	}
	if err := checkParams(rq.params, "agent"); err != nil {
		return err
	}
	key, a, err := agentParam(rq.params, "agent", true)
	if err != nil {
		return err
	}
	if rq.client.Bound() && key != rq.client.Launch.Actor {
		return fail(http.StatusForbidden, "launch credentials read their own learner only")
	}
	person := obj{"objectType": "Person"}
	for _, k := range []string{"name", "mbox", "mbox_sha1sum", "openid", "account"} {
		if v, ok := a[k]; ok {
			person[k] = []any{v}
		}
	}
	return writeJSON(w, rq, http.StatusOK, person)
}

// document serves the State, Activity Profile and Agent Profile resources.
func (h *Handler) document(w http.ResponseWriter, r *http.Request, rq *request, kind string) error {
	p := rq.params
	k := DocKey{Scope: rq.client.UnitPath, Kind: kind}
	idParam := "profileId"
	var err error
	switch kind {
	case "state":
		idParam = "stateId"
		if err := checkParams(p, "activityId", "agent", "registration", "stateId", "since"); err != nil {
			return err
		}
		if k.Activity, err = iriParam(p, "activityId", true); err != nil {
			return err
		}
		if k.Agent, _, err = agentParam(p, "agent", true); err != nil {
			return err
		}
		if k.Registration = strings.ToLower(p.Get("registration")); k.Registration != "" && !isUUID(k.Registration) {
			return fail(http.StatusBadRequest, "parameter registration must be a UUID")
		}
	case "activity":
		if err := checkParams(p, "activityId", "profileId", "since"); err != nil {
			return err
		}
		if k.Activity, err = iriParam(p, "activityId", true); err != nil {
			return err
		}
	case "agent":
		if err := checkParams(p, "agent", "profileId", "since"); err != nil {
			return err
		}
		if k.Agent, _, err = agentParam(p, "agent", true); err != nil {
			return err
		}
	}
	k.ID = p.Get(idParam)
	if rq.client.Bound() {
		if err := launchMayUseDoc(rq.client.Launch, k, rq.method); err != nil {
			return err
		}
	}
	ctx := r.Context()
	switch rq.method {
	case http.MethodGet, http.MethodHead:
		if k.ID == "" {
			since, err := timeParam(p, "since")
			if err != nil {
				return err
			}
			ids, err := h.Store.DocIDs(ctx, k, since)
			if err != nil {
				return err
			}
			return writeJSON(w, rq, http.StatusOK, ids)
		}
		if p.Has("since") {
			return fail(http.StatusBadRequest, "parameter since is only allowed when listing ids")
		}
		d, err := h.Store.GetDoc(ctx, k)
		if err != nil {
			return err
		}
		if d == nil {
			return fail(http.StatusNotFound, "no such document")
		}
		w.Header().Set("ETag", d.ETag)
		w.Header().Set("Last-Modified", time.UnixMilli(d.Updated).UTC().Format(http.TimeFormat))
		return writeRaw(w, rq, http.StatusOK, d.ContentType, d.Content)
	case http.MethodPut, http.MethodPost:
		if k.ID == "" {
			return fail(http.StatusBadRequest, "parameter %s is required", idParam)
		}
		if p.Has("since") {
			return fail(http.StatusBadRequest, "parameter since is only allowed when listing ids")
		}
		old, err := h.Store.GetDoc(ctx, k)
		if err != nil {
			return err
		}
		if err := preconditions(rq, old, kind != "state" && rq.method == http.MethodPut); err != nil {
			return err
		}
		ct := rq.header.Get("Content-Type")
		if ct == "" {
			ct = "application/octet-stream"
		}
		content := rq.body
		if rq.method == http.MethodPost {
			if content, ct, err = merge(old, content, ct); err != nil {
				return err
			}
		}
		sum := sha1.Sum(content)
		d := Doc{ContentType: ct, Content: content, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Updated: time.Now().UnixMilli()}
		if err := h.Store.PutDoc(ctx, k, d); err != nil {
			return err
		}
		w.Header().Set("ETag", d.ETag)
		w.WriteHeader(http.StatusNoContent)
		return nil
	case http.MethodDelete:
		if k.ID == "" && kind != "state" {
			return fail(http.StatusBadRequest, "parameter %s is required", idParam)
		}
		if p.Has("since") {
			return fail(http.StatusBadRequest, "parameter since is not allowed on DELETE")
		}
		if k.ID != "" {
			old, err := h.Store.GetDoc(ctx, k)
			if err != nil {
				return err
			}
			if err := preconditions(rq, old, false); err != nil {
				return err
			}
		}
		if err := h.Store.DeleteDocs(ctx, k); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return fail(http.StatusMethodNotAllowed, "method not allowed")
}

// launchMayUseDoc keeps launch credentials to their learner's state and
// agent profile, and to reading their activity's profile.
func launchMayUseDoc(l Launch, k DocKey, method string) error {
	switch k.Kind {
	case "state":
		if k.Agent != l.Actor || !withinActivity(l.Activity, k.Activity) {
			return fail(http.StatusForbidden, "launch credentials use their own learner's state for their own activity only")
		}
		if l.Registration != "" && k.Registration != "" && k.Registration != strings.ToLower(l.Registration) {
			return fail(http.StatusForbidden, "launch credentials use their own registration only")
		}
	case "agent":
		if k.Agent != l.Actor {
			return fail(http.StatusForbidden, "launch credentials use their own learner's profile only")
		}
	case "activity":
		if !withinActivity(l.Activity, k.Activity) || (method != http.MethodGet && method != http.MethodHead) {
			return fail(http.StatusForbidden, "launch credentials read their own activity's profile only")
		}
	}
	return nil
}

// preconditions applies If-Match and If-None-Match; requireHeader makes a
// PUT over an existing document without either header a conflict.
func preconditions(rq *request, old *Doc, requireHeader bool) error {
	im, inm := rq.header.Get("If-Match"), rq.header.Get("If-None-Match")
	if im != "" {
		if old == nil || (im != "*" && !etagIn(im, old.ETag)) {
			return fail(http.StatusPreconditionFailed, "the document has changed (If-Match)")
		}
	}
	if inm != "" && old != nil && (inm == "*" || etagIn(inm, old.ETag)) {
		return fail(http.StatusPreconditionFailed, "the document exists (If-None-Match)")
	}
	// xAPI 1.0.3: a PUT over an existing profile without either header is
	// a conflict; one that creates a new profile is accepted.
	if requireHeader && im == "" && inm == "" && old != nil {
		return fail(http.StatusConflict, "the document exists; send If-Match with its ETag to replace it")
	}
	return nil
}

func etagIn(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == etag || `"`+e+`"` == etag || strings.TrimPrefix(e, "W/") == etag {
			return true
		}
	}
	return false
}

// merge combines a POSTed JSON document with the stored one (top-level
// properties of the new one win).
func merge(old *Doc, content []byte, ct string) ([]byte, string, error) {
	isJSON := func(t string) bool { mt, _, _ := mime.ParseMediaType(t); return mt == "application/json" }
	var nv obj
	if !isJSON(ct) || decode(content, &nv) != nil || nv == nil {
		if old == nil && !isJSON(ct) {
			return content, ct, nil
		}
		return nil, "", fail(http.StatusBadRequest, "POST merges JSON objects only")
	}
	if old == nil {
		return content, ct, nil
	}
	var ov obj
	if !isJSON(old.ContentType) || decode(old.Content, &ov) != nil || ov == nil {
		return nil, "", fail(http.StatusBadRequest, "the stored document is not a JSON object, so it cannot be merged")
	}
	for k, v := range nv {
		ov[k] = v
	}
	b, err := json.Marshal(ov)
	return b, "application/json", err
}
