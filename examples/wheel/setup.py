# The example wheel project: one package whose C module cdefc builds from a CFFI build script.
from setuptools import setup

setup(
    name="zdemo",
    version="1.0",
    packages=["zdemo"],
    # PEP 561: the package is typed; cdefc writes the module's stub (_zlib.pyi) into the wheel.
    package_data={"zdemo": ["py.typed"]},
    # As CFFI's cffi_modules: "script:builder" (or "script:function returning the builder").
    cdefc_modules=["zdemo/_zlib_build.py:ffibuilder"],
)
