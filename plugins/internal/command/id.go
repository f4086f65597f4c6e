package command

import (
	"crypto/rand"
	"encoding/hex"
)

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
