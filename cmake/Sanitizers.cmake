# ASan + UBSan for the whole tree when CONFCAST_SANITIZE is on. UBSan findings abort, so a
# test that triggers undefined behaviour fails instead of printing a line nobody reads.
if(CONFCAST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
