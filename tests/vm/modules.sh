# The modules the guest loads (their dependencies are added by kernel.sh), one list for
# every VM test: kernel.sh writes the shared cache's load order from it, so a test with
# another list would rewrite it under the others. The second line: boot media; the
# last: the gadget's CDC-ACM serial function (usb_f_acm, with u_serial) and the host's cdc_acm.
VM_MODULES=(configfs dummy_hcd libcomposite usb_f_hid usbhid hid_generic evdev vivid e1000
  usb_f_mass_storage usb_storage crct10dif_generic crc64_rocksoft_generic sd_mod sr_mod cdrom isofs
  usb_f_acm cdc_acm)
