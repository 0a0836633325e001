// Struct sizes and field offsets of bpf/events.h, exported to JS as layout().
#pragma once
#include <napi.h>

/** Builds { pt_header: { sizeof, offsets: { type: 0, ... } }, ..., constants: {...} }. */
Napi::Object BuildLayout(Napi::Env env);
