// C++ view of bpf/events.h: the same single definition, with the kernel's __u* types.
#pragma once
#include <linux/types.h>
#include "events.h"
