package app

import (
	"os"
	"strings"
	"testing"
)

func TestIndexHTMLCarriesTheCSP(t *testing.T) {
	b, err := os.ReadFile("../frontend/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `content="`+ContentSecurityPolicy+`"`) {
		t.Errorf("frontend/index.html's CSP meta tag differs from app.ContentSecurityPolicy:\n%s", ContentSecurityPolicy)
	}
}
