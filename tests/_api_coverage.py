"""The public names of torch 2.13.0 and torch.Tensor that chainrule lacks.

OUT_OF_SCOPE: deliberately not built (the reason above each group).
NOT_YET: in scope and missing today; tests/test_api_coverage.py fails when a
missing name is in neither list, and when a NOT_YET name has arrived (so this
list only shrinks, by deleting lines).  Regenerate the figures with
``python tests/test_api_coverage.py``.
"""

TORCH_OUT_OF_SCOPE = {
    # complex32 (chalf): NumPy has no complex type of two float16 parts
    'chalf', 'complex32',
    # torch's own internals, build flags and TorchScript type-comment helpers
    'AVG', 'AcceleratorError', 'BFloat16Tensor', 'DisableTorchFunction',
    'DisableTorchFunctionSubclass', 'FatalError', 'GradScaler', 'JITException',
    'OutOfMemoryError', 'PRIVATE_OPS', 'SUM', 'TYPE_CHECKING', 'USE_GLOBAL_DEPS',
    'USE_RTLD_GLOBAL_WITH_LIBTORCH', 'bfloat16', 'classproperty', 'from_file', 'get_file_path',
    'hash_tensor', 'merge_type_from_type_comment', 'nonzero_static', 'parse_schema',
    'parse_type_comment', 'prepare_multiprocessing_environment',
    'profiler_allow_cudagraph_cupti_lazy_reinit_cuda12', 'set_flush_denormal', 'slice_inverse',
    'thread_safe_generator', 'typename', 'unify_type_list', 'windows',
    # JIT, TorchScript and the C++ runtime's classes
    'AggregationType', 'AliasDb', 'AnyType', 'Argument', 'ArgumentSpec', 'AwaitType',
    'BenchmarkConfig', 'BenchmarkExecutionStats', 'Block', 'BoolType', 'BufferDict',
    'CallStack', 'Capsule', 'ClassType', 'Code', 'CompilationUnit', 'CompleteArgumentSpec',
    'ComplexType', 'ConcreteModuleType', 'ConcreteModuleTypeBuilder', 'DeepCopyMemoTable',
    'DeserializationStorageContext', 'DeviceObjType', 'DictType', 'DispatchKey',
    'DispatchKeySet', 'EnumType', 'ErrorReport', 'ExcludeDispatchKeyGuard', 'ExecutionPlan',
    'FileCheck', 'FloatType', 'FunctionSchema', 'Future', 'FutureType', 'Gradient', 'Graph',
    'GraphExecutorState', 'IODescriptor', 'InferredType', 'IntType', 'InterfaceType',
    'ListType', 'LiteScriptModule', 'LockingLogger', 'LoggerBase', 'ModuleDict', 'Node',
    'NoneType', 'NoopLogger', 'NumberType', 'OperatorInfo', 'OptionalType', 'ParameterDict',
    'PyObjectType', 'PyTorchFileReader', 'PyTorchFileWriter', 'RRefType', 'ScriptClass',
    'ScriptClassFunction', 'ScriptDict', 'ScriptDictIterator', 'ScriptDictKeyIterator',
    'ScriptFunction', 'ScriptList', 'ScriptListIterator', 'ScriptMethod', 'ScriptModule',
    'ScriptModuleSerializer', 'ScriptObject', 'ScriptObjectProperty',
    'SerializationStorageContext', 'StaticModule', 'StreamObjType', 'StringType', 'SymBoolType',
    'SymIntType', 'Tag', 'TensorType', 'ThroughputBenchmark', 'TracingState', 'TupleType',
    'Type', 'UnionType', 'Use', 'Value',
    # storages (chainrule's tensors own arrays, not storages)
    'BFloat16Storage', 'BoolStorage', 'ByteStorage', 'CharStorage', 'ComplexDoubleStorage',
    'ComplexFloatStorage', 'DoubleStorage', 'FloatStorage', 'HalfStorage', 'IntStorage',
    'LongStorage', 'QInt32Storage', 'QInt8Storage', 'QUInt2x4Storage', 'QUInt4x2Storage',
    'QUInt8Storage', 'ShortStorage', 'Storage', 'StorageBase', 'TypedStorage', 'UntypedStorage',
    'is_storage',
    # accelerator streams, events and device guards
    'Event', 'Stream', 'get_device', 'get_device_module', 'get_num_interop_threads',
    'get_num_threads', 'init_num_threads', 'set_num_interop_threads', 'set_num_threads',
    # compilation, tracing and symbolic shapes
    'SymBool', 'SymFloat', 'SymInt', 'cond', 'fork', 'sym_constrain_range',
    'sym_constrain_range_for_size', 'sym_float', 'sym_fresh_size', 'sym_int', 'sym_ite',
    'sym_max', 'sym_min', 'sym_not', 'sym_sqrt', 'sym_sum', 'wait', 'while_loop',
    # functionalization's *_copy / *_scatter view variants
    'alias_copy', 'as_strided_copy', 'detach_copy', 'diagonal_copy', 'expand_copy',
    'narrow_copy', 'permute_copy', 'select_copy', 'slice_copy', 'split_copy',
    'split_with_sizes_copy', 'squeeze_copy', 't_copy', 'transpose_copy', 'unbind_copy',
    'unfold_copy', 'unsqueeze_copy', 'values_copy', 'view_as_complex_copy', 'view_as_real_copy',
    'view_copy',
    # submodules outside autograd, nn, optim and data (or the standard library re-exported)
    'onnx',    # (loaded lazily: in dir(torch) once something imported it)
    'amp', 'ao', 'builtins', 'classes', 'compiler', 'cpp', 'cpu', 'ctypes', 'distributed',
    'distributions', 'export', 'fft', 'functools', 'futures', 'fx', 'glob', 'hub', 'importlib',
    'inspect', 'jit', 'library', 'masked', 'math', 'monitor', 'mps', 'mtia', 'multiprocessing',
    'nested', 'os', 'overrides', 'package', 'platform', 'profiler', 'quantization',
    'quasirandom', 'serialization', 'signal', 'sparse', 'storage', 'sys', 'textwrap',
    'threading', 'torch', 'torch_version', 'types', 'version', 'warnings', 'xpu',
    # autocast (mixed precision on accelerators)
    'autocast', 'autocast_decrement_nesting', 'autocast_increment_nesting',
    'clear_autocast_cache', 'get_autocast_cpu_dtype', 'get_autocast_dtype',
    'get_autocast_gpu_dtype', 'get_autocast_ipu_dtype', 'get_autocast_xla_dtype',
    'is_autocast_cache_enabled', 'is_autocast_cpu_enabled', 'is_autocast_enabled',
    'is_autocast_ipu_enabled', 'is_autocast_xla_enabled', 'set_autocast_cache_enabled',
    'set_autocast_cpu_dtype', 'set_autocast_cpu_enabled', 'set_autocast_dtype',
    'set_autocast_enabled', 'set_autocast_gpu_dtype', 'set_autocast_ipu_dtype',
    'set_autocast_ipu_enabled', 'set_autocast_xla_dtype', 'set_autocast_xla_enabled',
    # recurrent layers' fused kernels and internals of backward passes
    'batch_norm_backward_elemt', 'batch_norm_backward_reduce', 'batch_norm_elemt',
    'batch_norm_gather_stats', 'batch_norm_gather_stats_with_counts', 'batch_norm_stats',
    'batch_norm_update_stats', 'gru', 'gru_cell', 'lstm', 'lstm_cell', 'native_batch_norm',
    'native_channel_shuffle', 'native_dropout', 'native_group_norm', 'native_layer_norm',
    'native_norm', 'rnn_relu', 'rnn_relu_cell', 'rnn_tanh', 'rnn_tanh_cell',
    # dtypes for accelerators' kernels (float8, sub-byte integers, bit types)
    'bit', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'float4_e2m1fn_x2',
    'float8_e4m3fn', 'float8_e4m3fnuz', 'float8_e5m2', 'float8_e5m2fnuz', 'float8_e8m0fnu',
    'int1', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7', 'uint1', 'uint2', 'uint3', 'uint4',
    'uint5', 'uint6', 'uint7',
    # sparse layouts
    'ccol_indices_copy', 'col_indices_copy', 'crow_indices_copy', 'dsmm', 'hsmm', 'hspmm',
    'indices_copy', 'jagged', 'resize_as_sparse_', 'row_indices_copy', 'saddmm', 'smm',
    'sparse_bsc', 'sparse_bsc_tensor', 'sparse_bsr', 'sparse_bsr_tensor',
    'sparse_compressed_tensor', 'sparse_coo', 'sparse_coo_tensor', 'sparse_csc',
    'sparse_csc_tensor', 'sparse_csr', 'sparse_csr_tensor', 'spmm', 'sspaddmm',
    # quantized dtypes and quantization
    'choose_qparams_optimized', 'dequantize', 'empty_quantized',
    'fake_quantize_per_channel_affine', 'fake_quantize_per_tensor_affine',
    'fbgemm_linear_fp16_weight', 'fbgemm_linear_fp16_weight_fp32_activation',
    'fbgemm_linear_int8_weight', 'fbgemm_linear_int8_weight_fp32_activation',
    'fbgemm_linear_quantize_weight', 'fbgemm_pack_gemm_matrix_fp16',
    'fbgemm_pack_quantized_matrix', 'fused_moving_avg_obs_fake_quant', 'int_repr',
    'per_channel_affine', 'per_channel_affine_float_qparams', 'per_channel_symmetric',
    'per_tensor_affine', 'per_tensor_symmetric', 'q_per_channel_axis', 'q_per_channel_scales',
    'q_per_channel_zero_points', 'q_scale', 'q_zero_point', 'qint32', 'qint8', 'qscheme',
    'quantize_per_channel', 'quantize_per_tensor', 'quantize_per_tensor_dynamic',
    'quantized_batch_norm', 'quantized_gru', 'quantized_gru_cell', 'quantized_lstm',
    'quantized_lstm_cell', 'quantized_max_pool1d', 'quantized_max_pool2d',
    'quantized_max_pool3d', 'quantized_rnn_relu_cell', 'quantized_rnn_tanh_cell', 'quint2x4',
    'quint4x2', 'quint8',
    # vendor back ends (cuDNN, MIOpen, MKL-DNN, XNNPACK, Vulkan) and build flags
    'compiled_with_cxx11_abi', 'cudnn_affine_grid_generator', 'cudnn_batch_norm',
    'cudnn_convolution', 'cudnn_convolution_add_relu', 'cudnn_convolution_relu',
    'cudnn_convolution_transpose', 'cudnn_grid_sampler', 'cudnn_is_acceptable', 'has_lapack',
    'has_mkl', 'has_openmp', 'has_spectral', 'import_ir_module', 'import_ir_module_from_buffer',
    'is_distributed', 'is_vulkan_available', 'miopen_batch_norm', 'miopen_convolution',
    'miopen_convolution_add_relu', 'miopen_convolution_relu', 'miopen_convolution_transpose',
    'miopen_ctc_loss', 'miopen_depthwise_convolution', 'miopen_rnn',
    'mkldnn_adaptive_avg_pool2d', 'mkldnn_convolution', 'mkldnn_linear_backward_weights',
    'mkldnn_max_pool2d', 'mkldnn_max_pool3d', 'mkldnn_rnn_layer', 'parse_ir',
}

TENSOR_OUT_OF_SCOPE = {
    # complex32 (chalf): NumPy has no complex type of two float16 parts
    'chalf',
    # sparse, quantized, storage, accelerator, and internal (autograd/graph bookkeeping of the C++ runtime) attributes
    'ccol_indices', 'coalesce', 'col_indices', 'const_data_ptr', 'crow_indices', 'dense_dim',
    'dequantize', 'dim_order', 'grad_dtype', 'hash_tensor', 'indices', 'int_repr', 'ipu',
    'is_coalesced', 'is_ipu', 'is_maia', 'is_meta', 'is_mkldnn', 'is_mps', 'is_mtia',
    'is_nested', 'is_pinned', 'is_quantized', 'is_set_to', 'is_shared', 'is_sparse',
    'is_sparse_csr', 'is_vulkan', 'is_xla', 'is_xpu', 'module_load', 'mtia', 'name',
    'nonzero_static', 'output_nr', 'pin_memory', 'q_per_channel_axis', 'q_per_channel_scales',
    'q_per_channel_zero_points', 'q_scale', 'q_zero_point', 'qscheme', 'record_stream',
    'reinforce', 'resize_as_sparse_', 'row_indices', 'set_', 'share_memory_', 'slice_inverse',
    'sparse_dim', 'sparse_mask', 'sparse_resize_', 'sparse_resize_and_clear_', 'storage',
    'storage_type', 'to_dense', 'to_mkldnn', 'to_padded_tensor', 'to_sparse', 'to_sparse_bsc',
    'to_sparse_bsr', 'to_sparse_coo', 'to_sparse_csc', 'to_sparse_csr', 'untyped_storage',
    'values', 'volatile', 'xpu',
    # bfloat16: NumPy has no bfloat16 type and chainrule adds no dependency (torch.bfloat16
    # is out of scope above too)
    'bfloat16',
    # sparse layouts (torch.smm and torch.sspaddmm are out of scope above too)
    'smm', 'sspaddmm',
    # functorch's first-class dimensions (Tensor.index binds positions to Dim objects)
    'index',
}

TORCH_NOT_YET = set()

TENSOR_NOT_YET = set()
