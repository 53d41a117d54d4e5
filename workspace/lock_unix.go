//go:build unix

package workspace

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f without waiting; it fails
// if another open file holds one. The lock goes with f's close, or with
// the process.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
