package learning

import (
	"net/http"

	"dxhub/internal/platform/web"
)

// APICatalogue: GET /api/v1/courses?q=&audience=&area=&level=&max_minutes=&sort=
func (h *HTTP) APICatalogue(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.Catalogue(r.Context(), filterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Course{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"courses": list})
}

// APICourse: GET /api/v1/courses/{code} — the description and the
// published outline (authors in scope also get the draft).
func (h *HTTP) APICourse(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.CourseByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	out := map[string]any{"course": c}
	if c.Version > 0 {
		o, err := h.Svc.Published(r.Context(), c.ID, 0)
		if err != nil {
			return err
		}
		out["outline"] = o.Modules
	}
	if d, err := h.Svc.Draft(r.Context(), c.Code); err == nil {
		out["draft"] = d.Modules
	}
	return web.JSON(w, http.StatusOK, out)
}

// APICreateCourse: POST /api/v1/courses
func (h *HTTP) APICreateCourse(w http.ResponseWriter, r *http.Request) error {
	var in CourseInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.CreateCourse(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

// APIUpdateCourse: PUT /api/v1/courses/{code}
func (h *HTTP) APIUpdateCourse(w http.ResponseWriter, r *http.Request) error {
	var in CourseInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.UpdateCourse(r.Context(), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// APIAddModule: POST /api/v1/courses/{code}/modules {"title": …}
func (h *HTTP) APIAddModule(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title string `json:"title"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.AddModule(r.Context(), r.PathValue("code"), in.Title)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, m)
}

// APIAddLesson: POST /api/v1/modules/{id}/lessons
func (h *HTTP) APIAddLesson(w http.ResponseWriter, r *http.Request) error {
	var in LessonInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	l, err := h.Svc.AddLesson(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, l)
}

// APIPublish: POST /api/v1/courses/{code}/publish
func (h *HTTP) APIPublish(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Publish(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// APIEnrol: POST /api/v1/courses/{code}/enrol
func (h *HTTP) APIEnrol(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Svc.Enrol(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

// APIComplete: POST /api/v1/enrolments/{id}/lessons/{lesson}/complete
func (h *HTTP) APIComplete(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Svc.CompleteLesson(r.Context(), r.PathValue("id"), r.PathValue("lesson"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

// APIQuiz: POST /api/v1/enrolments/{id}/lessons/{lesson}/quiz
// {"answers": {"ITEM": ["A"]}}
func (h *HTTP) APIQuiz(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Answers map[string][]string `json:"answers"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, e, err := h.Svc.SubmitQuiz(r.Context(), r.PathValue("id"), r.PathValue("lesson"), in.Answers)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"result": res, "enrolment": e})
}

// APIMyLearning: GET /api/v1/me/learning — enrolments, assignments,
// recommendations and paths of the caller.
func (h *HTTP) APIMyLearning(w http.ResponseWriter, r *http.Request) error {
	data, err := h.myLearning(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"enrolments": data["Enrolments"], "assignments": data["Assignments"], "recommendations": data["Recommendations"], "paths": data["Paths"]})
}

// APIPaths: GET /api/v1/paths
func (h *HTTP) APIPaths(w http.ResponseWriter, r *http.Request) error {
	paths, err := h.Svc.Paths(r.Context())
	if err != nil {
		return err
	}
	if paths == nil {
		paths = []*Path{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"paths": paths})
}

// APICreatePath: POST /api/v1/paths
func (h *HTTP) APICreatePath(w http.ResponseWriter, r *http.Request) error {
	var in PathInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := h.Svc.CreatePath(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

// APIAssignments: GET /api/v1/assignments
func (h *HTTP) APIAssignments(w http.ResponseWriter, r *http.Request) error {
	as, err := h.Svc.Assignments(r.Context())
	if err != nil {
		return err
	}
	if as == nil {
		as = []*Assignment{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"assignments": as})
}

// APIAssign: POST /api/v1/assignments
func (h *HTTP) APIAssign(w http.ResponseWriter, r *http.Request) error {
	var in AssignInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := h.Svc.Assign(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

// APICompliance: GET /api/v1/assignments/{id}/compliance?unit=CODE&people=1
func (h *HTTP) APICompliance(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.report(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

// APILRSClients: GET /api/v1/lrs/clients
func (h *HTTP) APILRSClients(w http.ResponseWriter, r *http.Request) error {
	list, err := h.clients(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"clients": list})
}

// APICreateLRSClient: POST /api/v1/lrs/clients {"unit_code", "name"} —
// the answer carries the secret, shown only this once.
func (h *HTTP) APICreateLRSClient(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UnitCode string `json:"unit_code"`
		Name     string `json:"name"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, secret, err := h.createClient(r, in.UnitCode, in.Name)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"client": c, "secret": secret, "endpoint": h.Svc.home() + "/xapi/"})
}

// APIRevokeLRSClient: POST /api/v1/lrs/clients/{id}/revoke
func (h *HTTP) APIRevokeLRSClient(w http.ResponseWriter, r *http.Request) error {
	if err := h.revoke(r, r.PathValue("id")); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]string{"status": "revoked"})
}
