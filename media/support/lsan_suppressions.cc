// LeakSanitizer suppressions for every executable that runs GStreamer: GLib, GStreamer plugins,
// fontconfig and the audio back ends keep process-lifetime caches (type registries, font lists)
// that they never free by design. Our own allocations are still checked. Compiled into each
// executable (a static library would never pull this weak-symbol override in).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libglib-2.0.so\n"
         "leak:libgobject-2.0.so\n"
         "leak:libgstreamer-1.0.so\n"
         "leak:libfontconfig.so\n"
         "leak:libpango\n"
         "leak:libopenal.so\n"
         "leak:libasound.so\n"
         "leak:libpulse\n"
         "leak:/gstreamer-1.0/\n";
}
