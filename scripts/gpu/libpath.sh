# Sourced by scripts/gpu/unpack.sh and scripts/gpu/test-best on the GPU machine: points LD_LIBRARY_PATH at
# the machine's PyTorch wheel (libtorch and its CUDA libraries) and at the payload's other libraries
# (/tmp/libs, unpacked by unpack.sh).
T=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
export LD_LIBRARY_PATH=$T/lib:$T/../nvidia/cu13/lib:/tmp/libs
