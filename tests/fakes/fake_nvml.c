/*
 * A tiny stand-in for libnvidia-ml.so.1: only the NVML calls probe.py makes,
 * with the C signatures of nvml.h, answering made-up values shaped like real
 * GPUs. Built by tests/conftest.py with
 *     gcc -shared -fPIC -o libfake_nvml.so fake_nvml.c   [-DNO_V3]
 * and loaded by the probe through JUPYTERLAB_GPU_SESSION_NVML_LIB.
 *
 * Environment:
 *   FAKE_NVML_SCENARIO  "t4" (default): one Tesla T4, 15360 MiB;
 *                       "mig": one A100 with MIG enabled (utilization is
 *                       NVML_ERROR_NOT_SUPPORTED, power limit unsupported);
 *                       "two": the T4 and the MIG A100; "none": 0 devices.
 *   FAKE_NVML_INIT_SLEEP  seconds nvmlInit blocks before answering.
 *   FAKE_NVML_INIT_RC     return code of nvmlInit (9: driver not loaded,
 *                         18: driver/library version mismatch).
 *   FAKE_NVML_PROCS       compute processes of device 0: "pid:MiB,pid:MiB";
 *                         MiB "na" = NVML_VALUE_NOT_AVAILABLE.
 *   FAKE_NVML_GRAPHICS_PROCS  graphics processes of device 0, same format.
 * Built with -DNO_V3 the library lacks the *_v3 process calls (older driver).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int nvmlReturn_t;
typedef struct fake_device *nvmlDevice_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define MIB (1024ULL * 1024ULL)

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

struct fake_device {
    const char *name, *uuid;
    unsigned long long total_mib, used_mib;
    int mig;
    unsigned int util_gpu, util_mem, temp, power_mw, limit_mw;
};

static struct fake_device T4 = {
    "Tesla T4", "GPU-d37e67a5-0000-4000-8000-00000000t4t4",
    15360, 1032, 0, 37, 12, 40, 26780, 70000};
static struct fake_device A100 = {
    "NVIDIA A100-SXM4-40GB", "GPU-27b94a00-0000-4000-8000-0000000a100a",
    40960, 38, 1, 0, 0, 36, 66920, 0};

static int initialised = 0;

static struct fake_device *device_at(unsigned int i, unsigned int *count) {
    const char *s = getenv("FAKE_NVML_SCENARIO");
    if (s && strcmp(s, "none") == 0) { *count = 0; return NULL; }
    if (s && strcmp(s, "mig") == 0) { *count = 1; return i == 0 ? &A100 : NULL; }
    if (s && strcmp(s, "two") == 0) {
        *count = 2;
        return i == 0 ? &T4 : (i == 1 ? &A100 : NULL);
    }
    *count = 1;
    return i == 0 ? &T4 : NULL;
}

nvmlReturn_t nvmlInit_v2(void) {
    const char *s = getenv("FAKE_NVML_INIT_SLEEP");
    const char *rc = getenv("FAKE_NVML_INIT_RC");
    if (s) usleep((useconds_t)(atof(s) * 1e6));
    if (rc && atoi(rc) != 0) return atoi(rc);
    initialised = 1;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit(void) { return nvmlInit_v2(); }

nvmlReturn_t nvmlShutdown(void) { initialised = 0; return NVML_SUCCESS; }

const char *nvmlErrorString(nvmlReturn_t r) {
    switch (r) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 18: return "Driver/library version mismatch";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    device_at(0, count);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) {
    unsigned int n;
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    *d = device_at(i, &n);
    return *d ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *buf, unsigned int len) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(d->name) + 1 > len) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buf, d->name);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *buf, unsigned int len) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(d->uuid) + 1 > len) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buf, d->uuid);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    m->total = d->total_mib * MIB;
    m->used = d->used_mib * MIB;
    m->free = m->total - m->used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (d->mig) return NVML_ERROR_NOT_SUPPORTED;  /* as on MIG-enabled GPUs */
    u->gpu = d->util_gpu;
    u->memory = d->util_mem;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) {
    if (!d || sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *t = d->temp;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    *mw = d->power_mw;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (!d->limit_mw) return NVML_ERROR_NOT_SUPPORTED;
    *mw = d->limit_mw;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *cur, unsigned int *pend) {
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (!d->mig) return NVML_ERROR_NOT_SUPPORTED;  /* a T4 has no MIG */
    *cur = 1;
    *pend = 1;
    return NVML_SUCCESS;
}

/* Parse "pid:MiB,pid:MiB" into pids/mem; returns how many. */
static unsigned int parse_procs(const char *env, unsigned int *pids,
                                unsigned long long *mem, unsigned int max) {
    const char *s = getenv(env);
    unsigned int n = 0;
    while (s && *s && n < max) {
        char *end;
        unsigned long pid = strtoul(s, &end, 10);
        if (end == s || *end != ':') break;
        s = end + 1;
        if (strncmp(s, "na", 2) == 0) {
            mem[n] = ~0ULL;  /* NVML_VALUE_NOT_AVAILABLE */
            s += 2;
        } else {
            mem[n] = strtoull(s, &end, 10) * MIB;
            s = end;
        }
        pids[n++] = (unsigned int)pid;
        if (*s == ',') s++;
    }
    return n;
}

static nvmlReturn_t procs(const char *env, nvmlDevice_t d, unsigned int *count,
                          void *infos, int v1) {
    unsigned int pids[256];
    unsigned long long mem[256];
    unsigned int n = 0, i;
    if (!d) return NVML_ERROR_INVALID_ARGUMENT;
    if (d == &T4 || (d == &A100 && getenv("FAKE_NVML_SCENARIO") &&
                     strcmp(getenv("FAKE_NVML_SCENARIO"), "mig") == 0))
        n = parse_procs(env, pids, mem, 256);
    if (*count < n || (n > 0 && !infos)) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    *count = n;
    for (i = 0; i < n; i++) {
        if (v1) {
            nvmlProcessInfo_v1_t *p = (nvmlProcessInfo_v1_t *)infos + i;
            p->pid = pids[i];
            p->usedGpuMemory = mem[i];
        } else {
            nvmlProcessInfo_t *p = (nvmlProcessInfo_t *)infos + i;
            p->pid = pids[i];
            p->usedGpuMemory = mem[i];
            p->gpuInstanceId = 0xFFFFFFFF;
            p->computeInstanceId = 0xFFFFFFFF;
        }
    }
    return NVML_SUCCESS;
}

#ifndef NO_V3
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *c,
                                                     nvmlProcessInfo_t *p) {
    return procs("FAKE_NVML_PROCS", d, c, p, 0);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned int *c,
                                                      nvmlProcessInfo_t *p) {
    return procs("FAKE_NVML_GRAPHICS_PROCS", d, c, p, 0);
}
#endif

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t d, unsigned int *c,
                                                     nvmlProcessInfo_t *p) {
    return procs("FAKE_NVML_PROCS", d, c, p, 0);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t d, unsigned int *c,
                                                      nvmlProcessInfo_t *p) {
    return procs("FAKE_NVML_GRAPHICS_PROCS", d, c, p, 0);
}
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t d, unsigned int *c,
                                                  nvmlProcessInfo_v1_t *p) {
    return procs("FAKE_NVML_PROCS", d, c, p, 1);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses(nvmlDevice_t d, unsigned int *c,
                                                   nvmlProcessInfo_v1_t *p) {
    return procs("FAKE_NVML_GRAPHICS_PROCS", d, c, p, 1);
}
