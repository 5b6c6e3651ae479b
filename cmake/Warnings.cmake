# Warnings for our own targets: call confcast_warnings(target).
function(confcast_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(CONFCAST_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
