/* evidence.h: what the checks and the capture have found so far, as plain data:
 * the wizard shows it and the session report writes it down. */
#ifndef TSHOOT_EVIDENCE_H
#define TSHOOT_EVIDENCE_H

#include "capture.h"
#include "checks.h"

struct evidence {
    int checking;                 /* checks are running */
    int have[CHECK_NKINDS];       /* results[i] holds check i's result */
    struct check_result results[CHECK_NKINDS];
    int have_capture;
    struct capture_snapshot capture;
    char capture_source[128];     /* "any", "eth0", a file name, or "" when off */
    char capture_error[256];      /* why there is no capture */
};

#endif
