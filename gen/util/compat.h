/* compat.h: included first by every file of imagegen */
#ifndef IMAGEGEN_COMPAT_H
#define IMAGEGEN_COMPAT_H

#define _POSIX_C_SOURCE 200809L
/* realpath (XSI) */
#define _XOPEN_SOURCE 700

#endif
