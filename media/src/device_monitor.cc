#include "confcast/media/device_monitor.h"

#include <algorithm>
#include <tuple>

#include "gst_util.h"

namespace confcast::media {

std::string SourceSpecFor(std::string_view element, std::string_view device) {
  if (device.empty()) return "";
  std::string_view kind;
  if (element == "v4l2src") kind = "v4l2";
  else if (element == "pulsesrc") kind = "pulse";
  else if (element == "alsasrc") kind = "alsa";
  else return "";
  return std::string(kind) + ":" + std::string(device);
}

namespace {

std::string TakeString(gchar* s) {
  std::string out = s ? s : "";
  g_free(s);
  return out;
}

// The element a device captures with, and the device it opens: what our sources need.
void DescribeElement(GstDevice* d, CaptureDevice& c) {
  GstElement* e = gst_device_create_element(d, nullptr);
  if (!e) return;
  gst_object_ref_sink(e);
  if (GstElementFactory* f = gst_element_get_factory(e)) {
    c.element = gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(f));
  }
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), "device")) {
    gchar* device = nullptr;
    g_object_get(e, "device", &device, nullptr);
    c.device = TakeString(device);
  }
  gst_object_unref(e);
}

}  // namespace

std::vector<CaptureDevice> ListCaptureDevices() {
  gst::EnsureInit();
  GstDeviceMonitor* monitor = gst_device_monitor_new();
  gst_device_monitor_add_filter(monitor, "Video/Source", nullptr);
  gst_device_monitor_add_filter(monitor, "Audio/Source", nullptr);
  std::vector<CaptureDevice> out;
  GList* devices = gst_device_monitor_get_devices(monitor);  // probes without start()
  for (GList* l = devices; l != nullptr; l = l->next) {
    GstDevice* d = GST_DEVICE(l->data);
    CaptureDevice c;
    c.kind = gst_device_has_classes(d, "Video/Source") ? DeviceKind::kVideo : DeviceKind::kAudio;
    c.name = TakeString(gst_device_get_display_name(d));
    DescribeElement(d, c);
    c.spec = SourceSpecFor(c.element, c.device);
    out.push_back(std::move(c));
  }
  g_list_free_full(devices, gst_object_unref);
  gst_object_unref(monitor);
  std::sort(out.begin(), out.end(), [](const CaptureDevice& a, const CaptureDevice& b) {
    return std::tie(a.kind, a.spec, a.name) < std::tie(b.kind, b.spec, b.name);
  });
  return out;
}

}  // namespace confcast::media
