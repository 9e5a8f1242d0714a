package app

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/campaign"
	"dxhub/internal/credential"
	"dxhub/internal/demo"
	"dxhub/internal/experts"
	"dxhub/internal/learning"
	"dxhub/internal/library"
	"dxhub/internal/monitor"
	"dxhub/internal/network"
	"dxhub/internal/platform/auth"
)

// TestRouteSweep is the authorization sweep kept as a test: every route of
// the route table, as every role, against objects of Đắk Lắk (66) while
// Đồng Nai (75) holds the same roles. A route missing from the table below
// fails the suite, so a new route cannot arrive without its check.
//
// Kinds of route:
//
//	P  public: anyone, signed in or not
//	U  any signed-in account (every account is a learner)
//	R  needs a role: the owner has it, the denied role does not
//	S  an object of Đắk Lắk: its owner may, the same role in Đồng Nai may not
//	N  national definitions: the owner is national, a province's is refused
//
// Whatever the kind: no request answers 500; anonymous requests to
// anything but P are refused (401, or 303 to the sign-in page); and no
// answer to anyone but the national administrator and Đắk Lắk's own
// offices carries Đắk Lắk's private markers.
func TestRouteSweep(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := sweepFixture(t, ta)
	// The foreign role of each owner: the same role in Đồng Nai, or
	// another learner.
	foreign := map[string]string{"daklak": "dongnai", "dlauthor": "dnauthor", "examiner": "dnexam", "rep1": "dnrep", "learner": "learnerB", "author": "dlauthor", "author2": "learnerB", "national": "daklak"}
	// Who may see Đắk Lắk's private markers.
	insiders := map[string]bool{"national": true, "daklak": true, "dlauthor": true, "examiner": true, "rep1": true, "author": true}
	everyone := []string{"", "learner", "learnerB", "rep1", "dnrep", "dlauthor", "dnauthor", "examiner", "dnexam", "daklak", "dongnai", "author", "national"}

	type entry struct {
		kind, owner, denied, method, path, body string
	}
	e := func(kind, owner, method, path, body string) entry {
		return entry{kind: kind, owner: owner, method: method, path: path, body: body}
	}
	r := func(owner, denied, method, path, body string) entry {
		return entry{kind: "R", owner: owner, denied: denied, method: method, path: path, body: body}
	}
	table := []entry{
		e("P", "", "GET", "/{$}", ""),
		e("P", "", "GET", "/healthz", ""),
		e("P", "", "GET", "/search?q=dak+lak", ""),
		e("P", "", "GET", "/api/v1/search?q=an+toan", ""),
		e("P", "", "GET", "/readyz", ""),
		e("P", "", "GET", "/lang/{lang}", ""),
		e("P", "", "GET", "/login", ""),
		e("P", "", "POST", "/login", "username=nobody&password=nothing+at+all"),
		e("P", "", "GET", "/account/unlock/{token}", ""),
		e("P", "", "POST", "/account/unlock/{token}", ""),
		e("P", "", "GET", "/signup", ""),
		e("P", "", "POST", "/signup", "name=Kh%C3%A1ch&contact=sweep%40example.vn&password=mot+cau+dai+du&terms=1"),
		e("P", "", "GET", "/signup/sent", ""),
		e("P", "", "GET", "/signup/confirm/{token}", ""),
		e("P", "", "POST", "/signup/confirm/{token}", ""),
		e("P", "", "GET", "/signup/code", ""),
		e("P", "", "POST", "/signup/code", "contact=0912345678&code=123456"),
		e("P", "", "POST", "/api/v1/signup", `{"name":"Khách","contact":"sweep2@example.vn","password":"mot cau dai du","terms":true}`),
		e("P", "", "POST", "/api/v1/signup/confirm", `{"contact":"0912345678","code":"123456"}`),
		e("P", "", "GET", "/auth/oidc/{provider}", ""),
		e("P", "", "GET", "/auth/oidc/{provider}/callback", "state=x&code=y"),
		e("P", "", "POST", "/auth/oidc/link", "token=x&password=y"),
		e("P", "", "GET", "/api/v1/auth/providers", ""),
		e("P", "", "GET", "/.well-known/jwks.json", ""),
		e("P", "", "GET", "/library", ""),
		e("P", "", "GET", "/ask?q=h%E1%BB%8Dc+c%C3%B3+m%E1%BA%A5t+ph%C3%AD+kh%C3%B4ng", ""),
		e("P", "", "POST", "/ask/keep", "q=Th%E1%BB%A7+t%E1%BB%A5c+k%E1%BA%BFt+h%C3%B4n&consent=1"),
		e("P", "", "GET", "/api/v1/ask?q=m%E1%BA%ADt+kh%E1%BA%A9u", ""),
		e("P", "", "POST", "/api/v1/ask/keep", `{"question":"Giá vàng hôm nay","consent":true}`),
		r("daklak", "learner", "GET", "/library/questions", ""),
		r("daklak", "learner", "GET", "/api/v1/library/questions", ""),
		e("P", "", "GET", "/library/{libpub}", ""),
		e("P", "", "GET", "/news.atom", ""),
		e("P", "", "GET", "/sitemap.xml", ""),
		r("daklak", "learner", "GET", "/library/new", ""),
		e("S", "daklak", "POST", "/library/new", "kind=news&unit_code=66&title_vi=Tin+m%E1%BB%9Bi&body_vi=N%E1%BB%99i+dung"),
		e("S", "daklak", "GET", "/library/{libdraft}", ""),
		e("S", "daklak", "GET", "/library/{libdraft}/edit", ""),
		e("S", "daklak", "POST", "/library/{libdraft}/edit", "kind=news&unit_code=66&title_vi=B%E1%BA%A3n+nh%C3%A1p+MAT66SECRET&body_vi=M%E1%BB%9Bi"),
		e("S", "daklak", "POST", "/library/{libdraft2}/{lib_action}", ""),
		e("P", "", "GET", "/api/v1/library", ""),
		r("daklak", "learner", "GET", "/network", ""),
		e("S", "daklak", "POST", "/network/teams", "kind=community_team&unit_code=24133&name=T%E1%BB%95+m%E1%BB%9Bi"),
		e("S", "daklak", "GET", "/network/teams/{team}", ""),
		e("S", "daklak", "POST", "/network/teams/{team}/edit", "name=T%E1%BB%95+MAT66SECRET&villages={village}"),
		e("S", "daklak", "POST", "/network/teams/{team}/members", "full_name=Tr%E1%BA%A7n+V%C4%83n+C&role=member&joined_on=2026-02-01"),
		e("U", "learner", "GET", "/network/log", ""),
		e("S", "daklak", "POST", "/network/log", "team_id={team}&done_on=2026-03-01&kind=vneid&people=2&client_key=sweep1"),
		e("S", "daklak", "GET", "/network/coverage?unit=66", ""),
		e("S", "daklak", "POST", "/network/villages", "unit_code=24133&names=Th%C3%B4n+2"),
		e("S", "daklak", "POST", "/network/population", "unit_code=24121&population=30000&as_of=2026-01-01"),
		r("daklak", "learner", "GET", "/api/v1/network/teams", ""),
		e("S", "daklak", "POST", "/api/v1/network/teams", `{"kind":"committee","unit_code":"24121","name":"Ban chỉ đạo"}`),
		e("S", "daklak", "GET", "/api/v1/network/teams/{team}", ""),
		e("S", "daklak", "PUT", "/api/v1/network/teams/{team}", `{"name":"Tổ MAT66SECRET","villages":["{village}"]}`),
		e("S", "daklak", "POST", "/api/v1/network/teams/{team}/members", `{"full_name":"Lê Thị D","role":"member","joined_on":"2026-02-01"}`),
		e("S", "daklak", "PUT", "/api/v1/network/teams/{team}/members/{member}", `{"role":"leader","joined_on":"2026-01-05","phone":"0901234567"}`),
		e("S", "daklak", "GET", "/api/v1/network/teams/{team}/activities", ""),
		e("S", "daklak", "POST", "/api/v1/network/activities", `{"team_id":"{team}","done_on":"2026-03-02","kind":"e_payment","people":1,"client_key":"sweep2"}`),
		e("U", "learner", "GET", "/api/v1/network/me/teams", ""),
		e("S", "daklak", "GET", "/api/v1/network/villages?unit=24121", ""),
		e("S", "daklak", "POST", "/api/v1/network/villages", `{"unit_code":"24121","villages":[{"name":"Thôn 3"}]}`),
		e("S", "daklak", "PUT", "/api/v1/network/population", `{"unit_code":"24121","population":31000,"as_of":"2026-02-01"}`),
		e("S", "daklak", "GET", "/api/v1/network/coverage?unit=66", ""),
		r("daklak", "learner", "GET", "/network/import", ""),
		e("S", "daklak", "POST", "/network/population/import", "@population"),
		e("S", "daklak", "POST", "/api/v1/network/population/import", "@population"),
		e("S", "daklak", "POST", "/network/import", "@teams"),
		e("S", "daklak", "GET", "/network/export?unit=66", ""),
		e("S", "daklak", "GET", "/api/v1/network/export?unit=66&format=csv", ""),
		e("S", "daklak", "POST", "/api/v1/network/import", "@teams"),
		e("P", "", "GET", "/campaigns", ""),
		e("S", "daklak", "POST", "/campaigns", "slug=sw-a&name_vi=Chi%E1%BA%BFn+d%E1%BB%8Bch&unit_code=66&starts_on={today}&ends_on={later}"),
		e("P", "", "GET", "/campaigns/{cmp}", ""),
		e("S", "daklak", "GET", "/campaigns/{cmpdraft}", ""),
		e("S", "daklak", "POST", "/campaigns/{cmp}/edit", "slug={cmp}&name_vi=Chi%E1%BA%BFn+d%E1%BB%8Bch+%C4%90%E1%BA%AFk+L%E1%BA%AFk&unit_code=66&starts_on={today}&ends_on={later}&published=1"),
		e("S", "daklak", "POST", "/campaigns/{cmp}/events", "kind=dx_day&title=Ng%C3%A0y+C%C4%90S&starts_at=2030-01-01T08:00&place=H%E1%BB%99i+tr%C6%B0%E1%BB%9Dng"),
		e("S", "daklak", "POST", "/campaigns/{cmp}/contests", "name=Cu%E1%BB%99c+thi&blueprint_id={bp}&time_limit_min=10&first_opens=2030-01-01T08:00&rounds=1&length_hours=2&every_days=7"),
		e("U", "learner", "POST", "/events/{event}/register", ""),
		e("S", "daklak", "POST", "/events/{event}/attendance", "attended=5"),
		e("P", "", "GET", "/contests/{contest}", ""),
		e("U", "learner", "POST", "/contests/{contest}/rounds/{n}/enter", "consent=1"),
		e("P", "", "GET", "/contests/{contest}/rounds/{n}", ""),
		e("S", "daklak", "POST", "/contests/{contest}/rounds/{n}/publish", ""),
		e("S", "daklak", "POST", "/contests/{contest}/rounds/{n}/decide", "entrant=nobody&decision=cleared&reason=ok"),
		e("S", "daklak", "POST", "/contests/{contest}/rounds/{n}/prize", "entrant=nobody&prize=Gi%E1%BA%A3i"),
		e("S", "daklak", "GET", "/contests/{contest}/rounds/{n}/certificates.csv?achievement=DL-ACH", ""),
		r("daklak", "learner", "GET", "/messages", ""),
		e("S", "daklak", "POST", "/messages", "unit_code=66&subject_vi=Th%C6%B0&body_vi=N%E1%BB%99i+dung&channels=notice"),
		e("S", "daklak", "GET", "/messages/{msg}", ""),
		e("S", "daklak", "POST", "/messages/{msg2}/cancel", ""),
		e("U", "learner", "GET", "/notices", ""),
		e("U", "learner", "POST", "/notices/topics", "topic_general=1"),
		e("P", "", "GET", "/unsubscribe?p=x&t=general&s=bad", ""),
		e("P", "", "POST", "/unsubscribe?p=x&t=general&s=bad", "List-Unsubscribe=One-Click"),
		e("P", "", "GET", "/api/v1/campaigns", ""),
		e("S", "daklak", "POST", "/api/v1/campaigns", `{"slug":"sw-b","name_vi":"Chiến dịch","unit_code":"66","starts_on":"{today}","ends_on":"{later}"}`),
		e("P", "", "GET", "/api/v1/campaigns/{cmp}", ""),
		e("S", "daklak", "GET", "/api/v1/campaigns/{cmpdraft}", ""),
		e("S", "daklak", "GET", "/api/v1/campaigns/{cmp}/figures", ""),
		e("S", "daklak", "PUT", "/api/v1/campaigns/{cmp}", `{"slug":"{cmp}","name_vi":"Chiến dịch Đắk Lắk","unit_code":"66","starts_on":"{today}","ends_on":"{later}","published":true}`),
		e("S", "daklak", "POST", "/api/v1/campaigns/{cmp}/events", `{"kind":"training_day","title":"Tập huấn","starts_at":1893456000000,"place":"Hội trường"}`),
		e("S", "daklak", "POST", "/api/v1/campaigns/{cmp}/contests", `{"name":"Cuộc thi","blueprint_id":"{bp}","time_limit_min":10,"rounds":[{"opens_at":1893456000000,"closes_at":1893459600000}]}`),
		e("U", "learner", "POST", "/api/v1/events/{event}/register", ""),
		e("P", "", "GET", "/api/v1/contests/{contest}", ""),
		e("P", "", "GET", "/api/v1/contests/{contest}/board", ""),
		e("U", "learner", "POST", "/api/v1/contests/{contest}/rounds/{n}/enter", `{"consent":false}`),
		e("P", "", "GET", "/api/v1/contests/{contest}/rounds/{n}/board", ""),
		e("S", "daklak", "POST", "/api/v1/contests/{contest}/rounds/{n}/publish", ""),
		e("S", "daklak", "GET", "/api/v1/contests/{contest}/rounds/{n}/flagged", ""),
		e("S", "daklak", "POST", "/api/v1/contests/{contest}/rounds/{n}/decisions", `{"entrant":"nobody","decision":"cleared","reason":"ok"}`),
		e("S", "daklak", "POST", "/api/v1/contests/{contest}/rounds/{n}/prizes", `{"entrant":"nobody","prize":"Giải"}`),
		r("daklak", "learner", "GET", "/api/v1/messages", ""),
		e("S", "daklak", "POST", "/api/v1/messages", `{"unit_code":"66","subject_vi":"Thư","body_vi":"Nội dung","channels":["notice"]}`),
		e("S", "daklak", "GET", "/api/v1/messages/{msg}", ""),
		e("S", "daklak", "POST", "/api/v1/messages/{msg3}/cancel", ""),
		e("U", "learner", "GET", "/api/v1/me/notices", ""),
		e("P", "", "GET", "/experts", ""),
		e("P", "", "GET", "/experts/{exppub}", ""),
		e("P", "", "GET", "/experts/{exppriv}", ""),
		e("S", "daklak", "GET", "/experts/{expdraft}", ""),
		e("P", "", "GET", "/experts/fields", ""),
		e("P", "", "GET", "/api/v1/experts?q=chuyen+gia", ""),
		e("P", "", "GET", "/api/v1/experts/{exppriv}", ""),
		e("S", "daklak", "GET", "/api/v1/experts/{expdraft}", ""),
		e("P", "", "GET", "/api/v1/experts/similar/{exppub}", ""),
		e("P", "", "GET", "/api/v1/experts/fields", ""),
		r("cg66", "learner", "GET", "/experts/me", ""),
		r("cg66", "learner", "POST", "/experts/me/photo", "@png"),
		e("S", "daklak", "POST", "/experts/{exppriv}/photo", "@png"),
		r("cg66", "learner", "POST", "/experts/me", "full_name=L%C3%AA+Chuy%C3%AAn+Gia&fields=ai&public=1&remote=1&hours_per_month=10"),
		e("U", "cg66", "GET", "/api/v1/experts/me", ""),
		r("cg66", "learner", "PUT", "/api/v1/experts/me", `{"full_name":"Lê Chuyên Gia","fields":["ai"],"public":true,"remote":true,"hours_per_month":10}`),
		e("U", "cg66", "GET", "/api/v1/experts/me/invitations", ""),
		r("cg66", "learner", "POST", "/experts/invitations/{expinv}/answer", "answer=accept"),
		r("cg66", "learner", "POST", "/api/v1/experts/invitations/{expinv}/answer", `{"accept":true}`),
		e("S", "daklak", "POST", "/experts/invitations/{expinv}/record", "from=need&need={expneed}&hours=5&rating=4"),
		e("S", "daklak", "POST", "/api/v1/experts/invitations/{expinv}/engagement", `{"hours":6,"rating":5,"outcome":"MAT66SECRET"}`),
		r("daklak", "learner", "GET", "/experts/new", ""),
		r("daklak", "learner", "GET", "/experts/import", ""),
		e("S", "daklak", "POST", "/experts/import", "@experts"),
		e("S", "daklak", "POST", "/api/v1/experts/import", "@experts"),
		e("S", "daklak", "GET", "/experts/export?unit=66", ""),
		e("S", "daklak", "GET", "/api/v1/experts/export?unit=66&format=csv", ""),
		e("S", "daklak", "POST", "/experts/new", "full_name=Chuy%C3%AAn+Gia+M%E1%BB%9Bi&unit_code=66&fields=data"),
		e("S", "daklak", "POST", "/api/v1/experts", `{"full_name":"Chuyên gia mới","unit_code":"66","fields":["data"]}`),
		e("S", "daklak", "PUT", "/api/v1/experts/{exppriv}", `{"full_name":"Ngoại Quốc","origin":"foreign","fields":["ai"],"public":true,"private":["publications"],"publications":[{"title":"MAT66SECRET"}]}`),
		e("S", "daklak", "POST", "/experts/{expdraft}/verify", "note=%C4%90%C3%A3+ki%E1%BB%83m+tra"),
		e("S", "daklak", "POST", "/api/v1/experts/{expdraft}/verify", `{"note":"Đã kiểm tra lại"}`),
		e("S", "daklak", "POST", "/experts/{exppriv}/nominate", "level=provincial&unit_code=66"),
		e("S", "daklak", "POST", "/api/v1/experts/{exppub}/nominations", `{"level":"national","unit_code":"66"}`),
		r("daklak", "learner", "GET", "/experts/nominations", ""),
		r("daklak", "learner", "GET", "/api/v1/experts/nominations", ""),
		e("S", "daklak", "POST", "/experts/nominations/{expnom}/decide", "decision=select&decision_ref=1%2FQ%C4%90"),
		e("S", "daklak", "POST", "/api/v1/experts/nominations/{expnom2}/decide", `{"selected":true,"decision_ref":"2/QĐ"}`),
		r("daklak", "learner", "GET", "/experts/needs", ""),
		r("daklak", "learner", "GET", "/api/v1/experts/needs", ""),
		e("S", "daklak", "POST", "/experts/needs", "unit_code=66&title=Nhu+c%E1%BA%A7u&fields=data"),
		e("S", "daklak", "POST", "/api/v1/experts/needs", `{"unit_code":"66","title":"Nhu cầu 2","fields":["data"]}`),
		e("S", "daklak", "GET", "/experts/needs/{expneed}", ""),
		e("S", "daklak", "GET", "/api/v1/experts/needs/{expneed}", ""),
		e("S", "daklak", "GET", "/api/v1/experts/needs/{expneed}/matches", ""),
		e("S", "daklak", "GET", "/api/v1/experts/needs/{expneed}/invitations", ""),
		e("S", "daklak", "POST", "/experts/needs/{expneed}/invite", "profile_id={exppriv}"),
		e("S", "daklak", "POST", "/api/v1/experts/needs/{expneed}/invitations", `{"profile_id":"{expdraft}"}`),
		e("N", "national", "POST", "/experts/fields", "add=space%7CKh%C3%B4ng+gian+s%E1%BB%91%7CSpace&note=Th%C3%AAm"),
		e("N", "national", "POST", "/api/v1/experts/fields", `{"add":[{"code":"space2","name_vi":"Không gian 2"}],"note":"Thêm"}`),
		e("S", "daklak", "POST", "/experts/weights", "unit_code=66&field=40&skill=30&language=10&place=5&availability=5&load=5&feedback=5"),
		e("S", "daklak", "PUT", "/api/v1/experts/weights", `{"unit_code":"66","field":40,"skill":30,"language":10,"place":5,"availability":5,"load":5,"feedback":5}`),
		r("daklak", "learner", "GET", "/plans", ""),
		e("S", "daklak", "POST", "/plans", "unit_code=66&title=K%E1%BA%BF+ho%E1%BA%A1ch"),
		r("daklak", "learner", "GET", "/plans/mine", ""),
		e("S", "daklak", "GET", "/plans/{plan}", ""),
		e("S", "daklak", "POST", "/plans/{plan}/edit", "title=K%E1%BA%BF+ho%E1%BA%A1ch+MAT66SECRET&decision_ref=146%2FQ%C4%90-TTg"),
		e("S", "daklak", "POST", "/plans/{plan}/tasks", "title=Vi%E1%BB%87c&lead_unit_code=24133&due_on=2027-01-01"),
		e("S", "daklak", "POST", "/plans/{plan}/remind", ""),
		e("S", "daklak", "GET", "/plans/{plan}/export", ""),
		e("S", "daklak", "GET", "/plans/{plan}/print", ""),
		e("S", "daklak", "GET", "/plans/{plan}/tasks/{task}", ""),
		e("S", "daklak", "POST", "/plans/{plan}/tasks/{task}/report", "status=in_progress&percent=30&note=MAT66SECRET"),
		e("S", "daklak", "POST", "/plans/{plan}/tasks/{task2}/cascade", "units=24133"),
		r("daklak", "learner", "GET", "/api/v1/plans", ""),
		e("S", "daklak", "POST", "/api/v1/plans", `{"unit_code":"66","title":"Kế hoạch 2"}`),
		r("daklak", "learner", "GET", "/api/v1/plans/mine", ""),
		e("S", "daklak", "GET", "/api/v1/plans/{plan}", ""),
		e("S", "daklak", "PUT", "/api/v1/plans/{plan}", `{"title":"Kế hoạch MAT66SECRET"}`),
		e("S", "daklak", "POST", "/api/v1/plans/{plan}/tasks", `{"title":"Việc","lead_unit_code":"24121","due_on":"2027-02-01"}`),
		e("S", "daklak", "GET", "/api/v1/plans/{plan}/tasks/{task}", ""),
		e("S", "daklak", "PUT", "/api/v1/plans/{plan}/tasks/{task}", `{"title":"Nhiệm vụ","lead_unit_code":"24121","due_on":"2026-01-01"}`),
		e("S", "daklak", "POST", "/api/v1/plans/{plan}/tasks/{task}/reports", `{"status":"late","percent":20}`),
		e("S", "daklak", "POST", "/api/v1/plans/{plan}/tasks/{task3}/cascade", `{"units":["24121"]}`),
		e("S", "daklak", "POST", "/api/v1/plans/{plan}/remind", ""),
		e("P", "", "GET", "/api/v1/library/topics", ""),
		e("P", "", "GET", "/api/v1/library/{libpub}", ""),
		e("S", "daklak", "POST", "/api/v1/library", `{"kind":"guide","unit_code":"66","title_vi":"Hướng dẫn","body_vi":"Nội dung"}`),
		e("S", "daklak", "PUT", "/api/v1/library/{libdraft}", `{"kind":"news","unit_code":"66","title_vi":"Bản nháp MAT66SECRET","body_vi":"Lần ba"}`),
		e("S", "daklak", "GET", "/api/v1/library/{libdraft}/versions", ""),
		e("S", "daklak", "POST", "/api/v1/library/{libdraft3}/{lib_action}", ""),
		e("P", "", "GET", "/achievements", ""),
		e("P", "", "GET", "/achievements/{achievement}", ""),
		e("P", "", "GET", "/api/v1/achievements", ""),
		e("P", "", "GET", "/api/v1/achievements/{achievement}", ""),
		e("P", "", "GET", "/api/v1/credentials/{credential}/verify", ""),
		e("P", "", "GET", "/credential-status/{code}/{list}", ""),
		e("P", "", "GET", "/credentials/{credential}", ""),
		e("P", "", "GET", "/credentials/{credential}/download/{cformat}", ""),
		e("P", "", "GET", "/issuers/{code}/did.json", ""),
		e("P", "", "GET", "/verify", ""),
		e("P", "", "POST", "/verify", "credential=not+a+credential"),
		e("P", "", "POST", "/api/v1/credentials/verify", `{"not":"a credential"}`),
		e("U", "learner", "GET", "/certificates", ""),
		e("U", "learner", "GET", "/api/v1/me/credentials", ""),
		r("daklak", "learner", "GET", "/achievements/new", ""),
		r("daklak", "learner", "GET", "/credentials/issue", ""),
		r("daklak", "learner", "GET", "/credentials/issued", ""),
		r("daklak", "learner", "GET", "/credentials/issued/export", ""),
		r("daklak", "learner", "GET", "/api/v1/credentials", ""),
		e("S", "daklak", "POST", "/achievements", "code=SW-1&unit_code=66&name=Qu%C3%A9t&criteria=X&rule=manual"),
		e("S", "daklak", "POST", "/api/v1/achievements", `{"code":"SW-2","unit_code":"66","name":"Quét","criteria":"X","rule":"manual"}`),
		e("S", "daklak", "POST", "/credentials/issue", "@credlist"),
		e("S", "daklak", "POST", "/api/v1/credentials/issue", "@credlist2"),
		e("S", "daklak", "POST", "/credentials/{credential}/revoke", "reason=other"),
		e("S", "daklak", "POST", "/api/v1/credentials/{credential2}/revoke", `{"reason":"other"}`),
		e("P", "", "GET", "/password/forgot", ""),
		e("P", "", "POST", "/password/forgot", "who=nobody"),
		e("P", "", "GET", "/password/reset/{token}", ""),
		e("P", "", "POST", "/password/reset/{token}", "password=0123456789ab&confirm=0123456789ab"),
		e("U", "learner", "GET", "/account", ""),
		e("U", "learner", "POST", "/account/password", "old=wrong+password&new=x&confirm=y"),
		e("U", "learner", "POST", "/account/tokens", "name=sweep"),
		e("U", "learner", "POST", "/account/time-zone", "time_zone=Asia%2FTokyo"),
		e("U", "learner", "POST", "/account/name", "display_name=Ho%C3%A0ng+Th%E1%BB%8B+Mai"),
		e("U", "learner", "GET", "/account/data", ""),
		e("U", "learner", "GET", "/account/data/export", ""),
		e("U", "learner", "POST", "/account/delete", "password=not+the+password"),
		e("P", "", "GET", "/account/deleted", ""),
		e("U", "learner", "GET", "/people/accounts", ""),
		r("daklak", "learner", "POST", "/people/accounts", "unit_code=24121"),
		e("P", "", "GET", "/activate", ""),
		e("U", "learner", "GET", "/account/claim", ""),
		e("U", "learner", "POST", "/account/claim", "person_id=nobody"),
		r("daklak", "learner", "GET", "/people/claims", ""),
		e("S", "daklak", "POST", "/people/claims/{claim}/{claim_action}", ""),
		r("daklak", "learner", "GET", "/api/v1/claims", ""),
		e("U", "learner", "POST", "/api/v1/me/claim", `{"person_id":"nobody"}`),
		e("S", "daklak", "POST", "/api/v1/claims/{claim}/{claim_action}", ""),
		e("P", "", "POST", "/activate", "username=nobody&code=AAAAA-BBBBB&password=mot+cau+dai+du"),
		r("daklak", "learner", "POST", "/api/v1/people/accounts", `{"unit_code":"24133"}`),
		e("P", "", "POST", "/api/v1/activate", `{"username":"nobody","code":"AAAAA-BBBBB","password":"mot cau dai du"}`),
		e("U", "learner", "GET", "/api/v1/me/data", ""),
		e("U", "learner", "POST", "/account/consents", "reminders=1"),
		e("U", "learner", "PUT", "/api/v1/me/consents", `{"reminders":true}`),
		e("U", "learner", "POST", "/account/contact", "contact=not-a-contact"),
		e("U", "learner", "GET", "/account/contact/code", ""),
		e("U", "learner", "POST", "/account/contact/code", "code=123456"),
		e("U", "learner", "GET", "/account/contact/confirm/{token}", ""),
		e("U", "learner", "POST", "/account/contact/confirm/{token}", ""),
		e("U", "learner", "POST", "/api/v1/me/contact", `{"contact":"not-a-contact"}`),
		e("U", "learner", "POST", "/api/v1/me/contact/confirm", `{"code":"123456"}`),
		e("U", "learner", "GET", "/account/sso/{provider}/link", ""),
		e("U", "learner", "POST", "/account/sso/{provider}/unlink", ""),
		e("U", "learner", "GET", "/api/v1/me/identities", ""),
		e("U", "learner", "DELETE", "/api/v1/me/identities/{provider}", ""),
		e("U", "learner", "POST", "/account/sessions/{session_handle}/end", ""),
		e("U", "learner", "GET", "/api/v1/me/sessions", ""),
		e("U", "learner", "DELETE", "/api/v1/me/sessions/{session_handle}", ""),
		e("U", "learner", "DELETE", "/api/v1/me", `{"password":"not the password"}`),
		e("S", "learner", "POST", "/account/tokens/{token_id}/revoke", ""),
		r("daklak", "learner", "GET", "/admin/roles", ""),
		e("S", "daklak", "POST", "/admin/roles", "username=learnerB&role=reporter&unit=24133"),
		r("daklak", "learner", "GET", "/admin/audit", ""),

		e("P", "", "GET", "/units", ""),
		e("P", "", "GET", "/units/{code}", ""),
		e("S", "daklak", "POST", "/units/{code}/children", "code=24999&type=commune&name_vi=X%C3%A3+Qu%C3%A9t"),
		e("S", "daklak", "POST", "/units/{commune2}/changes", "kind=rename&new_name_vi=Ph%C6%B0%E1%BB%9Dng+M%E1%BB%9Bi&effective=2026-01-01&resolution=1%2FNQ"),
		r("daklak", "learner", "GET", "/people", ""),
		r("daklak", "learner", "GET", "/people/import", ""),
		e("S", "daklak", "POST", "/people/import", "@people"),
		r("daklak", "learner", "GET", "/people/export", ""),
		e("S", "daklak", "GET", "/people/{person}", ""),

		e("P", "", "GET", "/skills", ""),
		e("P", "", "GET", "/api/v1/skills/search", ""),
		e("N", "author", "GET", "/skills/import", ""),
		e("N", "author", "POST", "/skills/import", "@skills"),
		e("P", "", "GET", "/skills/{std}/{ver}", ""),
		e("N", "author", "POST", "/skills/{std}/{ver}/versions", ""),
		e("N", "author", "POST", "/skills/{std}/{ver}/publish", ""),
		e("N", "author", "GET", "/skills/{std}/{ver}/competences/{comp}/edit", ""),
		e("N", "author", "POST", "/skills/{std}/{ver}/competences/{comp}/edit", "name_vi=T%C3%ACm+ki%E1%BA%BFm"),
		e("P", "", "GET", "/skills/{std}/{ver}/export/{format}", ""),

		r("dlauthor", "learner", "GET", "/files/upload", ""),
		r("dlauthor", "learner", "POST", "/files", "@png"),
		e("S", "rep1", "GET", "/files/{file}", ""),

		r("dlauthor", "learner", "GET", "/items", ""),
		r("dlauthor", "learner", "GET", "/items/new", ""),
		r("dlauthor", "learner", "POST", "/items", "unit_code=66&competence=1.1&level=1&type=single&stem=C%C3%A2u"),
		r("dlauthor", "learner", "GET", "/items/qti", ""),
		r("dlauthor", "learner", "POST", "/items/qti", "@qti"),
		r("dlauthor", "learner", "GET", "/items/qti/export", ""),
		e("S", "dlauthor", "GET", "/items/{item}", ""),
		e("S", "dlauthor", "GET", "/items/{item}/edit", ""),
		e("S", "dlauthor", "POST", "/items/{item}/edit", "competence=1.1&level=1&type=single&stem=MAT66SECRET+c%C3%A2u&options=A%7CM%E1%BB%99t%0AB%7CHai&correct=A"),
		e("S", "dlauthor", "POST", "/items/{item}/{item_action}", ""),
		r("dlauthor", "learner", "POST", "/items/bulk", "action=submit&ids={item}"),

		e("U", "learner", "GET", "/exams", ""),
		e("U", "learner", "POST", "/exams/{session}/start", ""),
		r("examiner", "learner", "GET", "/exams/manage", ""),
		r("examiner", "learner", "POST", "/blueprints", "name=B&standard_code=VN-DSF&standard_version=1&unit_code=66"),
		e("S", "examiner", "GET", "/blueprints/{bp}", ""),
		e("S", "examiner", "POST", "/exam-sessions", "blueprint_id={bp}&name=Ca&opens_at=2026-12-01T08:00&closes_at=2026-12-31T08:00&eligibility=open"),
		e("S", "examiner", "GET", "/exam-sessions/{session}/proctor", ""),
		e("S", "examiner", "GET", "/exam-sessions/{session}/marking", ""),
		e("S", "examiner", "POST", "/exam-sessions/{session}/marking", "attempt={attempt}&index=0&points=1"),
		e("S", "examiner", "GET", "/exam-sessions/{session}/stats", ""),
		e("S", "examiner", "GET", "/exam-sessions/{session}/stats/xlsx", ""),
		e("S", "learner", "GET", "/attempts/{attempt}", ""),
		e("S", "learner", "POST", "/attempts/{attempt}/answer", "idx=0&r=A"),
		e("S", "learner", "GET", "/attempts/{attempt}/submit", ""),
		e("S", "learner", "GET", "/attempts/{attempt}/result", ""),
		e("S", "examiner", "POST", "/attempts/{attempt}/proctor/{proctor_action}", "minutes=5&reason=m%E1%BA%A5t+%C4%91i%E1%BB%87n&session={session}"),

		e("P", "", "GET", "/courses", ""),
		r("dlauthor", "learner", "GET", "/courses/manage", ""),
		r("dlauthor", "learner", "POST", "/courses", "code=DL-NEW&unit_code=66&title=Kh%C3%B3a&summary=x&audiences=citizen"),
		e("P", "", "GET", "/courses/{course}", ""),
		e("U", "learner", "POST", "/courses/{course}/enrol", ""),
		e("U", "learner", "GET", "/courses/{course}/lessons/{lesson}", ""),
		e("U", "learner", "POST", "/courses/{course}/lessons/{lesson}/complete", ""),
		e("U", "learner", "POST", "/courses/{course}/lessons/{lesson}/quiz", ""),
		e("U", "learner", "GET", "/courses/{course}/lessons/{lesson}/launch", ""),
		e("S", "dlauthor", "GET", "/courses/{course}/edit", ""),
		e("S", "dlauthor", "POST", "/courses/{course}/edit", "title=Kh%C3%B3a+c%E1%BB%A7a+t%E1%BB%89nh&summary=x&audiences=citizen&unit_code=66"),
		e("S", "dlauthor", "POST", "/courses/{course}/modules", "title=Ch%C6%B0%C6%A1ng+2"),
		e("S", "dlauthor", "POST", "/courses/{course}/lessons", "module={module}&kind=text&title=B%C3%A0i&body=x"),
		e("S", "dlauthor", "POST", "/courses/{course}/move", "kind=lesson&id={lesson}&dir=down"),
		e("S", "dlauthor", "POST", "/courses/{course}/publish", ""),
		e("S", "dlauthor", "GET", "/courses/{course}/preview/{lesson}", ""),
		e("S", "dlauthor", "GET", "/lessons/{lesson}/edit", ""),
		e("S", "dlauthor", "POST", "/lessons/{lesson}/edit", "kind=text&title=B%C3%A0i+m%E1%BB%9Bi&body=x"),
		e("U", "learner", "GET", "/learning", ""),
		e("P", "", "GET", "/paths", ""),
		r("dlauthor", "learner", "POST", "/paths", "code=P-DL2&unit_code=66&title=L%E1%BB%99+tr%C3%ACnh&courses={course}"),
		r("daklak", "learner", "GET", "/learning/assignments", ""),
		e("S", "daklak", "POST", "/learning/assignments", "unit_code=66&kind=course&code={course}&due=2027-06-30"),
		e("S", "daklak", "GET", "/learning/assignments/{asg}", ""),
		e("S", "daklak", "GET", "/learning/assignments/{asg}/xlsx", ""),
		r("daklak", "learner", "GET", "/admin/lrs", ""),
		e("S", "daklak", "POST", "/admin/lrs", "unit_code=66&name=LMS"),
		e("N", "national", "GET", "/admin/synonyms", ""),
		e("N", "national", "POST", "/admin/synonyms", "phrases=qu%C3%A9t%0Asweep"),
		e("N", "national", "POST", "/admin/synonyms/{synonym}", "phrases=b%E1%BB%99+khcn%7Cbkhcn"),
		e("N", "national", "POST", "/admin/synonyms/{synonym2}/delete", ""),
		e("N", "national", "GET", "/api/v1/synonyms", ""),
		e("N", "national", "POST", "/api/v1/synonyms", `{"phrases":["quét api","sweep api"]}`),
		e("N", "national", "PUT", "/api/v1/synonyms/{synonym}", `{"phrases":["bộ khcn","bkhcn"]}`),
		e("N", "national", "DELETE", "/api/v1/synonyms/{synonym3}", ""),

		e("P", "", "GET", "/api/v1/openapi.json", ""),
		e("U", "learner", "GET", "/api/v1/me", ""),
		r("daklak", "learner", "GET", "/api/v1/audit", ""),
		e("P", "", "GET", "/api/v1/units", ""),
		e("P", "", "GET", "/api/v1/units/{code}", ""),
		e("S", "daklak", "POST", "/api/v1/units", `{"code":"24998","type":"commune","name_vi":"Xã Thử","parent_code":"66"}`),
		e("S", "daklak", "POST", "/api/v1/units/{commune2}/changes", `{"kind":"rename","new_name_vi":"Phường Thử","effective":"2026-02-01"}`),
		r("daklak", "learner", "GET", "/api/v1/people", ""),
		e("S", "daklak", "GET", "/api/v1/people/{person}", ""),
		e("S", "daklak", "POST", "/api/v1/people/import", "@people"),
		r("dlauthor", "learner", "GET", "/api/v1/items", ""),
		r("dlauthor", "learner", "POST", "/api/v1/items", `{"unit_code":"66","standard_code":"VN-DSF","standard_version":1,"competence":"1.1","level":1,"body":{"type":"single","stem":"C","options":[{"id":"A","text":"a"},{"id":"B","text":"b"}],"correct":["A"]}}`),
		r("dlauthor", "learner", "POST", "/api/v1/items/qti", "@qti"),
		e("S", "dlauthor", "GET", "/api/v1/items/{item}", ""),
		e("S", "dlauthor", "PUT", "/api/v1/items/{item}", `{"unit_code":"66","standard_code":"VN-DSF","standard_version":1,"competence":"1.1","level":1,"body":{"type":"single","stem":"MAT66SECRET","options":[{"id":"A","text":"a"},{"id":"B","text":"b"}],"correct":["A"]}}`),
		e("S", "dlauthor", "POST", "/api/v1/items/{item}/{item_action}", `{}`),
		e("U", "learner", "GET", "/api/v1/exams", ""),
		e("U", "learner", "POST", "/api/v1/exams/{session}/start", ""),
		e("S", "learner", "GET", "/api/v1/attempts/{attempt}", ""),
		e("S", "learner", "PUT", "/api/v1/attempts/{attempt}/answers/{idx}", `{"response":["A"]}`),
		e("S", "learner", "POST", "/api/v1/attempts/{attempt}/files/{idx}", "@png"),
		e("S", "learner", "POST", "/api/v1/attempts/{attempt}/next", ""),
		e("S", "examiner", "POST", "/api/v1/attempts/{attempt}/{proctor_action}", `{"minutes":5,"reason":"mất điện"}`),
		r("examiner", "learner", "POST", "/api/v1/blueprints", `{"name":"B","unit_code":"66","standard_code":"VN-DSF","standard_version":1,"time_limit_min":10,"pass_percent":50,"rules":[{"area":"1","count":1}]}`),
		e("S", "examiner", "GET", "/api/v1/blueprints/{bp}", ""),
		e("S", "examiner", "POST", "/api/v1/exam-sessions", `{"blueprint_id":"{bp}","name":"Ca","opens_at":1796000000000,"closes_at":1799000000000,"eligibility":"open"}`),
		e("S", "examiner", "GET", "/api/v1/exam-sessions/{session}/roster", ""),
		e("S", "examiner", "GET", "/api/v1/exam-sessions/{session}/marking", ""),
		e("S", "examiner", "PUT", "/api/v1/attempts/{attempt}/marks/{idx}", `{"points":1}`),
		e("S", "examiner", "GET", "/api/v1/exam-sessions/{session}/stats", ""),
		e("P", "", "GET", "/api/v1/courses", ""),
		r("dlauthor", "learner", "POST", "/api/v1/courses", `{"code":"DL-API","unit_code":"66","title":"Khóa","summary":"x","audiences":["citizen"]}`),
		e("P", "", "GET", "/api/v1/courses/{course}", ""),
		e("S", "dlauthor", "PUT", "/api/v1/courses/{course}", `{"unit_code":"66","title":"Khóa của tỉnh","summary":"x","audiences":["citizen"]}`),
		e("S", "dlauthor", "POST", "/api/v1/courses/{course}/modules", `{"title":"Chương 3"}`),
		e("S", "dlauthor", "POST", "/api/v1/modules/{module}/lessons", `{"kind":"text","title":"Bài","body":"x"}`),
		e("S", "dlauthor", "POST", "/api/v1/courses/{course}/publish", ""),
		e("U", "learner", "POST", "/api/v1/courses/{course}/enrol", ""),
		e("S", "learner", "POST", "/api/v1/enrolments/{enrolment}/lessons/{lesson}/complete", ""),
		e("S", "learner", "POST", "/api/v1/enrolments/{enrolment}/lessons/{lesson}/quiz", `{"answers":{}}`),

		e("P", "", "GET", "/progress", ""),
		r("daklak", "learner", "GET", "/monitoring", ""),
		e("S", "daklak", "GET", "/monitoring/units/{code}", ""),
		e("S", "daklak", "GET", "/monitoring/units/{code}/print", ""),
		e("S", "daklak", "GET", "/monitoring/units/{code}/xlsx", ""),
		r("daklak", "learner", "GET", "/monitoring/rankings?unit=66", ""),
		r("daklak", "learner", "GET", "/monitoring/index/{index}?unit=66", ""),
		r("daklak", "learner", "GET", "/monitoring/setup", ""),
		e("N", "national", "POST", "/monitoring/indicators", "code=sweep_ind&name_vi=Ch%E1%BB%89+s%E1%BB%91&measure=count&numerator=%7Bworking_age%7D"),
		e("N", "national", "POST", "/monitoring/elements", "code=sweep_el&name_vi=Ph%E1%BA%A7n+t%E1%BB%AD"),
		e("S", "daklak", "POST", "/monitoring/datasets", "code=BC-DL&name_vi=B%C3%A1o+c%C3%A1o&period_type=month&unit_types=commune&scope_code=66&due_days=5&elements=working_age"),
		e("N", "national", "POST", "/monitoring/recompute", "year=2026"),
		r("daklak", "learner", "GET", "/monitoring/targets", ""),
		e("S", "daklak", "POST", "/monitoring/targets", "indicator=population_using_online_services&unit_code=66&year=2027&kind=target&value=80"),
		e("S", "daklak", "POST", "/monitoring/targets/import", "@targets"),
		e("U", "learner", "GET", "/reports", ""),
		e("S", "rep1", "POST", "/reports/import", "@values"),
		r("rep1", "learner", "GET", "/reports/export?dataset={dataset}&period={period}&unit=24121", ""),
		e("S", "daklak", "GET", "/reports/{dataset}/completeness?unit=66", ""),
		e("S", "rep1", "GET", "/reports/{dataset}/{commune}/{period}", ""),
		e("S", "rep1", "POST", "/reports/{dataset}/{commune}/{period}", "v.working_age=12&comment=MAT66SECRET"),
		e("S", "rep1", "POST", "/reports/{dataset}/{commune}/{period}/files", "@pdf"),
		e("S", "daklak", "POST", "/reports/{dataset}/{commune}/{period}/review", "action=return&comment=s%E1%BB%ADa"),
		e("P", "", "GET", "/api/v1/progress", ""),
		r("daklak", "learner", "GET", "/api/v1/monitoring/elements", ""),
		e("N", "national", "POST", "/api/v1/monitoring/elements", `{"code":"sweep_el2","name_vi":"Phần tử"}`),
		r("daklak", "learner", "GET", "/api/v1/monitoring/indicators", ""),
		e("N", "national", "POST", "/api/v1/monitoring/indicators", `{"code":"sweep_ind2","name_vi":"Chỉ số","measure":"count","numerator":"{working_age}"}`),
		e("S", "daklak", "GET", "/api/v1/monitoring/targets?unit=66", ""),
		e("S", "daklak", "POST", "/api/v1/monitoring/targets", `{"indicator":"population_using_online_services","unit_code":"66","year":2028,"kind":"target","value":85}`),
		e("S", "daklak", "POST", "/api/v1/monitoring/targets/import", "@targets"),
		e("S", "daklak", "GET", "/api/v1/monitoring/dashboard/{code}", ""),
		r("daklak", "learner", "GET", "/api/v1/monitoring/rankings?unit=66", ""),
		r("daklak", "learner", "GET", "/api/v1/monitoring/index/{index}?unit=66", ""),
		e("N", "national", "PUT", "/api/v1/monitoring/index/{index}", `{}`),
		e("N", "national", "POST", "/api/v1/monitoring/recompute?year=2026&incremental=1", ""),
		e("U", "learner", "GET", "/api/v1/datasets", ""), // form definitions, read by every reporter
		e("S", "daklak", "POST", "/api/v1/datasets", `{"code":"BC-DL","name_vi":"Báo cáo","period_type":"month","unit_types":["commune"],"scope_code":"66","due_days":5,"elements":["working_age"]}`),
		e("S", "daklak", "GET", "/api/v1/datasets/{dataset}/completeness?unit=66", ""),
		e("S", "rep1", "GET", "/api/v1/reports/{dataset}/{commune}/{period}", ""),
		e("S", "rep1", "PUT", "/api/v1/reports/{dataset}/{commune}/{period}", `{"values":{"working_age":"13"},"comment":"MAT66SECRET","submit":true}`),
		e("S", "daklak", "POST", "/api/v1/reports/{dataset}/{commune}/{period}/review", `{"action":"approve"}`),
		e("S", "rep1", "GET", "/api/v1/dataValueSets?dataSet={dataset}&period={period}&orgUnit={commune}", ""),
		e("S", "rep1", "POST", "/api/v1/dataValueSets", `{"dataSet":"{dataset}","period":"{period2}","dataValues":[{"dataElement":"working_age","orgUnit":"{commune}","value":"9"}]}`),
		e("U", "learner", "GET", "/api/v1/me/learning", ""),
		e("P", "", "GET", "/api/v1/paths", ""),
		r("dlauthor", "learner", "POST", "/api/v1/paths", `{"code":"P-DL3","unit_code":"66","title":"Lộ trình","courses":["{course}"]}`),
		r("daklak", "learner", "GET", "/api/v1/assignments", ""),
		e("S", "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"{course}","due":"2027-06-30"}`),
		e("S", "daklak", "GET", "/api/v1/assignments/{asg}/compliance", ""),
		r("daklak", "learner", "GET", "/api/v1/lrs/clients", ""),
		e("S", "daklak", "POST", "/api/v1/lrs/clients", `{"unit_code":"66","name":"LMS"}`),
		e("P", "", "GET", "/api/v1/skills", ""),
		e("N", "author", "POST", "/api/v1/skills", "@skills"),
		e("P", "", "GET", "/api/v1/skills/{std}/{ver}", ""),
		e("N", "author", "POST", "/api/v1/skills/{std}/{ver}/versions", ""),
		e("N", "author", "POST", "/api/v1/skills/{std}/{ver}/publish", ""),
		e("N", "author", "PUT", "/api/v1/skills/{std}/{ver}/competences/{comp}", `{"name_vi":"Tìm kiếm"}`),

		// Last: what ends an object.
		e("S", "learner", "POST", "/attempts/{attempt}/submit", "confirm=1"),
		e("S", "author2", "POST", "/api/v1/attempts/{attempt2}/submit", ""),
		e("S", "daklak", "POST", "/admin/lrs/{client}/revoke", ""),
		e("S", "daklak", "POST", "/api/v1/lrs/clients/{client2}/revoke", ""),
		e("S", "daklak", "POST", "/admin/roles/{grant}/revoke", ""),
		e("P", "learner", "POST", "/logout", ""),
	}

	// Every route of the table is swept.
	// Patterns are compared by shape: the sweep names its placeholders by
	// what fills them, the route table by what the handler reads.
	shape := func(p string) string {
		return regexp.MustCompile(`\{[a-z_0-9]+\}`).ReplaceAllString(strings.SplitN(p, "?", 2)[0], "{}")
	}
	swept := map[string]bool{}
	for _, en := range table {
		swept[shape(en.method+" "+en.path)] = true
	}
	var missing []string
	for _, rt := range ta.App.Routes() {
		if !swept[shape(rt.Pattern)] {
			missing = append(missing, rt.Pattern)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes not in the sweep (add each with its kind and owner):\n%s", strings.Join(missing, "\n"))
	}

	clients := map[string]*http.Client{}
	client := func(user string) *http.Client {
		if c, ok := clients[user]; ok {
			return c
		}
		c := ta.client(user)
		clients[user] = c
		return c
	}
	for _, u := range everyone {
		client(u)
	}
	fill := func(s string) string {
		return regexp.MustCompile(`\{[a-z_0-9]+\}`).ReplaceAllStringFunc(s, func(k string) string {
			if k == "{$}" {
				return ""
			}
			if v, ok := f[strings.Trim(k, "{}")]; ok {
				return v
			}
			return k // a formula's element, not a placeholder
		})
	}
	send := func(user string, en entry) (int, string, http.Header) {
		t.Helper()
		path := fill(en.path)
		body, ct := sweepBody(t, fill(en.body))
		return ta.do(client(user), en.method, path, body, "Content-Type", ct)
	}
	refusedAnon := func(code int, h http.Header) bool {
		return code == 401 || (code == 303 && strings.HasPrefix(h.Get("Location"), "/login"))
	}
	leaks := func(user, body string) bool {
		if insiders[user] {
			return false
		}
		return strings.Contains(body, "MAT66SECRET") || strings.Contains(body, "Nguyễn Văn Ánh")
	}
	requests := 0
	for _, en := range table {
		name := en.method + " " + en.path
		check := func(user string) (int, string, http.Header) {
			code, body, h := send(user, en)
			requests++
			if code >= 500 {
				t.Errorf("%s as %q: %d %.300s", name, user, code, body)
			}
			if leaks(user, body) {
				t.Errorf("%s as %q: Đắk Lắk's private data in the answer: %.300s", name, user, body)
			}
			return code, body, h
		}
		if en.kind != "P" {
			if code, body, h := check(""); !refusedAnon(code, h) {
				t.Errorf("%s anonymous: %d, want refused: %.200s", name, code, body)
			}
		}
		switch en.kind {
		case "R":
			if code, body, _ := check(en.denied); code < 400 || code == 401 {
				t.Errorf("%s as %q (without the role): %d, want refused: %.200s", name, en.denied, code, body)
			}
		case "S", "N":
			other := foreign[en.owner]
			if code, body, _ := check(other); code < 400 || code == 401 {
				t.Errorf("%s as %q (%s's role elsewhere): %d, want refused: %.200s", name, other, en.owner, code, body)
			}
		}
		if en.owner != "" {
			code, body, _ := check(en.owner)
			if code == 401 || code == 403 {
				t.Errorf("%s as its owner %q: %d %.300s", name, en.owner, code, body)
			}
			if os.Getenv("DXHUB_SWEEP_LOG") != "" {
				t.Logf("owner %d %s %.160s", code, name, strings.ReplaceAll(body, "\n", " "))
			}
		}
		// Read-only requests as every other role: never a 500, never a leak.
		if en.method == "GET" {
			for _, u := range everyone {
				if u != en.owner {
					check(u)
				}
			}
		}
	}
	t.Logf("%d routes, %d requests", len(table), requests)
}

// sweepBody makes a request body: JSON as it is, "@name" a small file of
// that kind as a multipart form, anything else a URL-encoded form.
func sweepBody(t *testing.T, s string) (*bytes.Reader, string) {
	t.Helper()
	switch {
	case strings.HasPrefix(s, "{") || strings.HasPrefix(s, "["):
		return bytes.NewReader([]byte(s)), "application/json"
	case strings.HasPrefix(s, "@"):
		files := map[string]struct{ name, content string }{
			"people":     {"people.csv", "key,full_name,unit_code\nSW1,Người Quét,24121\n"},
			"population": {"population.csv", "unit_code,population\n24121,45000\n"},
			"experts":    {"experts.csv", "full_name,unit_code,fields\nChuyên gia MAT66SECRET,66,data\n"},
			"teams":      {"teams.csv", "unit_code,team_name,full_name\n24121,Tổ MAT66SECRET,Lê Văn Quét\n"},
			"credlist":   {"list.csv", "achievement,username\nDL-ACH,learnerB\n"},
			"credlist2":  {"list.csv", "achievement,username\nDL-ACH,examiner\n"},
			"skills":     {"standard.csv", "x\n"},
			"png":        {"a.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"},
			"pdf":        {"bien-ban.pdf", "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"},
			"qti":        {"item.xml", qtiGood},
			"targets":    {"targets.csv", "indicator,unit_scope,scope_code,name_vi,name_en,measure,target_2025,target_2030,source\npopulation_using_online_services,province,66,Tỷ lệ,Share,percent,70,90,sweep\n"},
			"values":     {"values.csv", "dataset,period,org_unit,data_element,category,value,comment\n" + demo.MonthlyDataset + "," + monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().Prev().ID + ",24121,working_age,,7,\n"},
		}
		fl, ok := files[s[1:]]
		if !ok {
			t.Fatalf("no sweep file %s", s)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", fl.name)
		w.Write([]byte(fl.content))
		mw.Close()
		return bytes.NewReader(buf.Bytes()), mw.FormDataContentType()
	}
	return bytes.NewReader([]byte(s)), "application/x-www-form-urlencoded"
}

// sweepFixture makes Đắk Lắk's objects (the private ones carry the marker
// MAT66SECRET; person A1 is Nguyễn Văn Ánh) and Đồng Nai's roles, and
// returns the values of the sweep's placeholders.
func sweepFixture(t *testing.T, ta *testApp) map[string]string {
	t.Helper()
	ctx := context.Background()
	sys := auth.WithPrincipal(ctx, auth.System())
	monFixture(t, ta)
	for name, grant := range map[string]string{"dnauthor": "author@75", "dnexam": "exam_admin@75", "dnrep": "reporter@26041", "learnerB": ""} {
		if _, err := ta.App.Auth.CreateAccount(sys, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if grant != "" {
			role, code, _ := strings.Cut(grant, "@")
			u, _ := ta.App.Org.UnitByCode(ctx, code)
			if _, err := ta.App.Auth.GrantRole(sys, name, auth.Role(role), u.ID, u.Path, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	std, _ := ta.App.Skills.Latest(ctx, "VN-DSF")
	if _, err := demo.SeedItems(ctx, ta.App.Bank, std, mustPrincipal(t, ta, "author"), mustPrincipal(t, ta, "author2")); err != nil {
		t.Fatal(err)
	}
	f := map[string]string{"lang": "en", "token": "not-a-token", "code": "66", "commune": "24121", "commune2": "24133", "std": "VN-DSF", "ver": "1", "comp": "1.1",
		"format": "csv", "item_action": "submit", "proctor_action": "extend", "idx": "0", "dataset": demo.MonthlyDataset, "index": "DTI-KNS", "session_handle": "0123456789abcdef", "claim_action": "refuse", "provider": "gov",
		"synonym": "syn-bo", "synonym2": "syn-dh", "synonym3": "syn-dvc"}
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev()
	f["period"], f["period2"] = per.ID, per.Prev().ID
	f["person"] = ta.personID("A1")
	claim, err := ta.App.Account.RequestClaim(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learnerB")), f["person"], "A1", "")
	if err != nil {
		t.Fatal(err)
	}
	f["claim"] = claim.ID

	dl := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "dlauthor"))
	it, err := ta.App.Bank.Create(dl, assessment.ItemInput{UnitCode: "66", StandardCode: "VN-DSF", StandardVersion: 1, Competence: "1.1", Level: 1,
		Body: assessment.Body{Type: "single", Stem: "MAT66SECRET Ai được biết mã OTP?", Options: []assessment.Option{{ID: "A", Text: "Không ai"}, {ID: "B", Text: "Ngân hàng"}}, Correct: []string{"A"}}})
	if err != nil {
		t.Fatal(err)
	}
	f["item"] = it.ID

	mod, ls := mustCourse(t, ta, dl, learning.CourseInput{Code: "DL-C", UnitCode: "66", Title: "Khóa học của Đắk Lắk", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 50},
		learning.LessonInput{Kind: learning.KindText, Title: "Bài 1", Body: "Nội dung", Required: true})
	f["course"], f["module"], f["lesson"] = "DL-C", mod, ls[0].ID
	lctx := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learner"))
	enr, err := ta.App.Learn.Enrol(lctx, "DL-C")
	if err != nil {
		t.Fatal(err)
	}
	f["enrolment"] = enr.ID

	ex := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "examiner"))
	bp := &assessment.Blueprint{Name: "MAT66SECRET đề", UnitCode: "66", StandardCode: "VN-DSF", StandardVersion: 1, TimeLimitMin: 20, PassPercent: 50,
		Rules: []assessment.Rule{{Area: "1", Count: 2}}, Navigation: "free"}
	if err := ta.App.Exams.SaveBlueprint(ex, bp); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &assessment.Session{BlueprintID: bp.ID, Name: "Ca thi Đắk Lắk", UnitCode: "66", OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli(), Eligibility: "open", ReviewPolicy: "score"}
	if err := ta.App.Exams.SaveSession(ex, s); err != nil {
		t.Fatal(err)
	}
	f["bp"], f["session"] = bp.ID, s.ID
	a, err := ta.App.Exams.StartAttempt(lctx, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	f["attempt"] = a.ID
	// A second candidate's attempt, for the API's submit.
	a2, err := ta.App.Exams.StartAttempt(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2")), s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	f["attempt2"] = a2.ID

	da := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "daklak"))
	// Library: one public document and three drafts of Đắk Lắk (the
	// first carries the marker; the other two are published by the sweep).
	for _, k := range []string{"libpub", "libdraft", "libdraft2", "libdraft3"} {
		title := "Tin Đắk Lắk"
		if k == "libdraft" {
			title = "Bản nháp MAT66SECRET"
		}
		d, err := ta.App.Lib.Create(da, library.Input{Kind: library.News, UnitCode: "66", TitleVI: title, BodyVI: "Nội dung."})
		if err != nil {
			t.Fatal(err)
		}
		f[k] = d.ID
	}
	if _, err := ta.App.Lib.Publish(da, f["libpub"], 0); err != nil {
		t.Fatal(err)
	}
	f["lib_action"] = "publish"
	// The DX network: a village and a team of a commune of Đắk Lắk, whose
	// member is Nguyễn Văn Ánh (a private marker: names of members are for
	// those who see the unit's network).
	vs, err := ta.App.Net.AddVillages(da, "24121", []network.Village{{Name: "Thôn 1"}})
	if err != nil {
		t.Fatal(err)
	}
	team, err := ta.App.Net.CreateTeam(da, network.TeamInput{Kind: network.CommunityTeam, UnitCode: "24121", Name: "Tổ MAT66SECRET", Villages: []string{vs[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	mem, err := ta.App.Net.AddMember(da, team.ID, network.MemberInput{PersonKey: "A1", Role: network.Leader, JoinedOn: "2026-01-05"})
	if err != nil {
		t.Fatal(err)
	}
	f["team"], f["member"], f["village"] = team.ID, mem.ID, vs[0].ID
	plan, err := ta.App.Net.CreatePlan(da, network.PlanInput{UnitCode: "66", Title: "Kế hoạch MAT66SECRET", DecisionRef: "146/QĐ-TTg"})
	if err != nil {
		t.Fatal(err)
	}
	task, err := ta.App.Net.AddTask(da, plan.ID, network.TaskInput{Title: "Nhiệm vụ", LeadUnitCode: "24121", DueOn: time.Now().AddDate(0, 0, -1).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	task2, err := ta.App.Net.AddTask(da, plan.ID, network.TaskInput{Title: "Nhiệm vụ 2", LeadUnitCode: "66", DueOn: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	f["plan"], f["task"], f["task2"], f["task3"] = plan.ID, task.ID, task2.ID, task2.ID
	// The expert network: an expert of Đắk Lắk with an account, verified
	// and public; an outside expert kept by the office whose private
	// publication carries the marker; a need, an invitation, a nomination.
	addAccount(t, ta, "cg66", "expert@66")
	cg := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "cg66"))
	pub, err := ta.App.Exp.SaveMine(cg, experts.Input{FullName: "Lê Chuyên Gia", Details: experts.Details{Fields: []string{"ai"}, Public: true, Remote: true, Hours: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Verify(da, pub.ID, "Hồ sơ"); err != nil {
		t.Fatal(err)
	}
	priv, err := ta.App.Exp.Create(da, experts.Input{FullName: "Ngoại Quốc", UnitCode: "66", Details: experts.Details{Origin: experts.Foreign, Fields: []string{"ai"}, Public: true, Private: []string{"publications"}, Works: []experts.Work{{Title: "MAT66SECRET"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Verify(da, priv.ID, "Hộ chiếu"); err != nil {
		t.Fatal(err)
	}
	draftExp, err := ta.App.Exp.Create(da, experts.Input{FullName: "Bản nháp MAT66SECRET", UnitCode: "66", Details: experts.Details{Fields: []string{"data"}}})
	if err != nil {
		t.Fatal(err)
	}
	need, err := ta.App.Exp.PostNeed(da, experts.NeedInput{UnitCode: "66", Title: "Nhu cầu xây dựng dữ liệu", Fields: []string{"ai"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ta.App.Exp.Invite(da, need.ID, pub.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	nom, err := ta.App.Exp.Nominate(da, priv.ID, experts.Provincial, "66", "")
	if err != nil {
		t.Fatal(err)
	}
	nom2, err := ta.App.Exp.Nominate(da, pub.ID, experts.Provincial, "66", "")
	if err != nil {
		t.Fatal(err)
	}
	f["exppub"], f["exppriv"], f["expdraft"], f["expneed"], f["expinv"], f["expnom"], f["expnom2"] = pub.ID, priv.ID, draftExp.ID, need.ID, inv.ID, nom.ID, nom2.ID
	if _, err := ta.App.Mon.SaveDataset(da, monitor.Dataset{Code: "BC-DL", NameVI: "Báo cáo riêng", PeriodType: "month", UnitTypes: []string{"commune"}, ScopeCode: "66", DueDays: 5, Elements: []string{"working_age"}}); err != nil {
		t.Fatal(err)
	}
	rep := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "rep1"))
	if _, _, err := ta.App.Mon.SaveReport(rep, demo.MonthlyDataset, "24121", per.ID, monitor.Entry{Values: map[string]string{"working_age": "10"}, Comment: "MAT66SECRET"}); err != nil {
		t.Fatal(err)
	}
	body, ct := multipartFile(t, "file", "MAT66SECRET.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	if code, out, _ := ta.do(ta.as("rep1"), "POST", "/reports/"+demo.MonthlyDataset+"/24121/"+per.ID+"/files", body, "Content-Type", ct); code != 200 {
		t.Fatalf("evidence: %d %.300s", code, out)
	}
	f["file"] = sweepValue(t, ta, `SELECT id FROM files WHERE name = 'MAT66SECRET.pdf'`)

	for _, k := range []string{"client", "client2"} {
		out := apiJSON(t, ta, "daklak", "POST", "/api/v1/lrs/clients", `{"unit_code":"66","name":"MAT66SECRET LMS"}`, 201)
		var c struct {
			Client struct{ ID string }
		}
		json.Unmarshal([]byte(out), &c)
		f[k] = c.Client.ID
	}
	ach := &credential.Achievement{Code: "DL-ACH", UnitCode: "66", Name: "Chứng nhận của Đắk Lắk", Criteria: "Theo danh sách", Rule: credential.RuleManual}
	if err := ta.App.Cred.SaveAchievement(da, ach); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Cred.IssueList(da, strings.NewReader("achievement,username\nDL-ACH,learner\nDL-ACH,author2\n"), ""); err != nil {
		t.Fatal(err)
	}
	f["achievement"], f["list"], f["cformat"] = ach.ID, "1", "pdf"
	f["credential"] = sweepValue(t, ta, `SELECT c.id FROM credentials c JOIN accounts a ON a.id = c.account_id WHERE a.username = 'learner'`)
	f["credential2"] = sweepValue(t, ta, `SELECT c.id FROM credentials c JOIN accounts a ON a.id = c.account_id WHERE a.username = 'author2'`)
	asg, err := ta.App.Learn.Assign(da, learning.AssignInput{UnitCode: "66", Kind: "course", Code: "DL-C", Due: now.AddDate(0, 1, 0).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	f["asg"] = asg.ID
	grants, _ := ta.App.Auth.ListGrants(ctx, []string{"/"})
	for _, g := range grants {
		if g.Username == "rep2" {
			f["grant"] = g.ID
		}
	}
	tok, err := ta.App.Auth.CreateToken(ctx, mustPrincipal(t, ta, "learner"), "script", "")
	if err != nil || tok == "" {
		t.Fatal(err)
	}
	f["token_id"] = sweepValue(t, ta, `SELECT id FROM api_tokens WHERE name = 'script'`)
	for k, v := range f {
		if v == "" {
			t.Fatalf("fixture: %s is empty", k)
		}
	}
	cmp, err := ta.App.Camp.SaveCampaign(da, "", campaign.CampaignInput{Slug: "sweep-66", NameVI: "Chiến dịch Đắk Lắk", UnitCode: "66", StartsOn: now.Format(time.DateOnly), EndsOn: now.AddDate(0, 1, 0).Format(time.DateOnly), Published: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Camp.SaveCampaign(da, "", campaign.CampaignInput{Slug: "nhap-66", NameVI: "Nháp MAT66SECRET", UnitCode: "66", StartsOn: now.Format(time.DateOnly), EndsOn: now.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	ev, err := ta.App.Camp.AddEvent(da, cmp.ID, campaign.EventInput{Kind: "dx_day", Title: "Ngày chuyển đổi số", StartsAt: now.Add(48 * time.Hour).UnixMilli(), Place: "Hội trường"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := ta.App.Camp.AddContest(da, cmp.ID, campaign.ContestInput{Name: "Tìm hiểu chuyển đổi số", BlueprintID: bp.ID, TimeLimitMin: 10,
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli()}}})
	if err != nil {
		t.Fatal(err)
	}
	f["cmp"], f["cmpdraft"], f["event"], f["contest"], f["n"] = cmp.Slug, "nhap-66", ev.ID, k.ID, "1"
	f["today"], f["later"] = now.Format(time.DateOnly), now.AddDate(0, 1, 0).Format(time.DateOnly)
	for _, key := range []string{"msg", "msg2", "msg3"} {
		m, err := ta.App.Camp.Compose(da, campaign.MessageInput{UnitCode: "66", SubjectVI: "Thư MAT66SECRET", BodyVI: "Nội dung", Channels: []string{"notice"}, SendAt: now.Add(24 * time.Hour).UnixMilli()})
		if err != nil {
			t.Fatal(err)
		}
		f[key] = m.ID
	}
	return f
}

func sweepValue(t *testing.T, ta *testApp, q string) string {
	t.Helper()
	var v string
	if err := ta.App.DB.R.QueryRow(q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}
