//go:build unix

package storm

import (
	"syscall"
	"time"
)

// cpuTime returns the user plus system CPU time the process has used, or
// -1 if the kernel does not say.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
