/* validator/report_out.h: the text helpers the report writers share (report.c, html.c); internal
 * to validator/. */
#ifndef JITPROOF_TV_REPORT_OUT_H
#define JITPROOF_TV_REPORT_OUT_H
#include <stdio.h>
#include "report.h"

/* Writes s with the escapes of `mode`: 'j' JSON string body, 's' the same, safe inside a
 * <script> element (no '<', '>', '&'), 'x' XML/HTML text. */
void tv_put_esc(FILE *f, const char *s, char mode);
/* "add_32 r1,r2,r3 [imm:any, cpuid]" (", GP 0.8.0" for that revision), escaped for mode. */
void tv_put_instance_name(FILE *f, const tv_result *r, char mode);
/* "VERDICT: instance: detail (cex file)" escaped for XML/HTML, the line JUnit and HTML list. */
void tv_put_result_line(FILE *f, const tv_result *r);
#endif
