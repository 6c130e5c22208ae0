# BIGARRAYS_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer,
# and makes any UBSan report fatal so ctest sees it.
option(BIGARRAYS_SANITIZE "Build with ASan and UBSan (for the C tests)" OFF)

function(bigarrays_sanitize target)
  if(BIGARRAYS_SANITIZE)
    set(flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_compile_options(${target} PRIVATE ${flags})
    target_link_options(${target} PRIVATE ${flags})
  endif()
endfunction()
