//go:build !unix

package storm

import "time"

// cpuTime returns -1: this platform's process CPU time is not read.
func cpuTime() time.Duration { return -1 }
