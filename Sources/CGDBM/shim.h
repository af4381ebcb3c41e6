#ifndef CGDBM_SHIM_H
#define CGDBM_SHIM_H

#include <errno.h>
#include <stdlib.h>
#include <gdbm.h>

/* Accessors for what Swift cannot import directly. Nothing else belongs here. */

/* `gdbm_errno` is a macro over a thread-local location. */
static inline int cgdbm_errno(void) { return gdbm_errno; }
static inline void cgdbm_clear_errno(void) { gdbm_errno = GDBM_NO_ERROR; }

/* The OS errno, also thread-local; read it in the same synchronous call as the gdbm error. */
static inline int cgdbm_os_errno(void) { return errno; }
static inline void cgdbm_clear_os_errno(void) { errno = 0; }

/* `gdbm_version` is a global `const char *` that Swift 6 treats as shared mutable state. */
static inline const char *cgdbm_version(void) { return gdbm_version; }

#endif
