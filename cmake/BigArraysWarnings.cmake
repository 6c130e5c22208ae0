# Strict warnings, as errors, for every flag the compiler knows (checked, never assumed).
include(CheckCCompilerFlag)

function(bigarrays_strict_warnings target)
  foreach(flag -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
               -Wstrict-prototypes -Wmissing-prototypes -Wvla -Werror)
    string(MAKE_C_IDENTIFIER "HAVE_C_FLAG${flag}" var)
    check_c_compiler_flag(${flag} ${var})
    if(${var})
      target_compile_options(${target} PRIVATE ${flag})
    endif()
  endforeach()
endfunction()
