package search

import "dxhub/internal/platform/i18n"

func init() {
	i18n.Add(map[string][2]string{
		"search.too_long":              {"chuỗi tìm kiếm dài quá %d byte", "the search text is longer than %d bytes"},
		"search.phrase_bad":            {"cụm từ %q không dùng được: cần có chữ, tối đa 60 ký tự và 6 từ, không chứa dấu |", "the phrase %q cannot be used: it needs letters, at most 60 characters and 6 words, and no |"},
		"search.phrase_twice":          {"cụm từ %q trùng với một cụm khác trong nhóm (khi bỏ dấu)", "the phrase %q repeats another of the group (without marks)"},
		"search.phrases_count":         {"một nhóm đồng nghĩa cần từ 2 đến %d cụm từ", "a synonym group needs 2 to %d phrases"},
		"search.note_long":             {"ghi chú dài quá %d ký tự", "the note is longer than %d characters"},
		"nav.synonyms":                 {"Từ đồng nghĩa", "Synonyms"},
		"search.synonyms_title":        {"Từ đồng nghĩa trong tìm kiếm", "Search synonyms"},
		"search.synonyms_help":         {"Mỗi nhóm là các cách gõ cùng một nghĩa (viết tắt, tên thường gọi, cách viết khác). Tìm một cụm trong nhóm sẽ tìm thấy cả các cụm kia. Thay đổi có hiệu lực trên mọi máy chủ sau khoảng một giây.", "Each group lists ways of typing the same thing (abbreviations, common names, other spellings). Searching for one phrase of a group finds the others too. Changes apply on every server within about a second."},
		"search.phrases":               {"Các cụm từ", "Phrases"},
		"search.phrases_label":         {"Các cụm từ (mỗi dòng một cụm, hoặc ngăn bằng |)", "Phrases (one per line, or separated by |)"},
		"search.note":                  {"Ghi chú", "Note"},
		"search.save":                  {"Lưu", "Save"},
		"search.delete":                {"Xóa", "Delete"},
		"search.add":                   {"Thêm nhóm", "Add group"},
		"search.new_group":             {"Thêm nhóm đồng nghĩa", "Add a synonym group"},
		"audit.search_synonyms_create": {"Thêm nhóm từ đồng nghĩa", "Synonym group added"},
		"audit.search_synonyms_update": {"Sửa nhóm từ đồng nghĩa", "Synonym group changed"},
		"audit.search_synonyms_delete": {"Xóa nhóm từ đồng nghĩa", "Synonym group deleted"},
	})
}
