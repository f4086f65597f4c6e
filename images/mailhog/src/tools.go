//go:build tools

// Package tools pins MailHog v1.0.1 and what its main package imports, so that
// `go mod tidy` keeps them in go.mod; prebuild.sh builds github.com/mailhog/MailHog.
package tools

import (
	_ "github.com/gorilla/pat"
	_ "github.com/ian-kent/go-log/log"
	_ "github.com/mailhog/MailHog-Server/api"
	_ "github.com/mailhog/MailHog-Server/config"
	_ "github.com/mailhog/MailHog-Server/smtp"
	_ "github.com/mailhog/MailHog-UI/assets"
	_ "github.com/mailhog/MailHog-UI/config"
	_ "github.com/mailhog/MailHog-UI/web"
	_ "github.com/mailhog/MailHog/config"
	_ "github.com/mailhog/http"
	_ "github.com/mailhog/mhsendmail/cmd"
	_ "golang.org/x/crypto/bcrypt"
)
