# The example wheel project: one package whose C module cdefc builds from a CFFI build script.
from setuptools import setup

setup(
    name="zdemo",
    version="1.0",
    packages=["zdemo"],
    # As CFFI's cffi_modules: "script:builder" (or "script:function returning the builder").
    cdefc_modules=["zdemo/_zlib_build.py:ffibuilder"],
)
