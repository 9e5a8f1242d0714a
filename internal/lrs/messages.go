package lrs

import "dxhub/internal/platform/i18n"

func init() {
	i18n.Add(map[string][2]string{
		"lrs.launch_unbound": {"Thông tin đăng nhập cho nội dung học phải gắn với một người học và một hoạt động.", "Launch credentials must be bound to one learner and one activity."},
	})
}
