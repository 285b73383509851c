using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Onnx;

/// <summary>ORT's messages as its 1.31 binaries format them ("[ErrorCode:X] ..."); the strings are in libonnxruntime*.so.</summary>
[Trait("Category", OnnxRuntimeBuild.Trait)]
public sealed class OnnxRunFailureTests
{
    private static readonly ModelKey Key = new("m", 3);

    [Fact]
    public void Translate_InvalidArgument_Is400ForTheCaller()
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cpu,
            "[ErrorCode:InvalidArgument] Non-zero status code returned while running Gather node. Name:'' Status Message: indices element out of data bounds, idx=9 must be within the inclusive range [-4,3]", null);

        Assert.IsType<InvalidInferenceInputException>(error);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("model m v3 rejected the input: Non-zero status code returned while running Gather node. Name:'' Status Message: indices element out of data bounds, idx=9 must be within the inclusive range [-4,3]", error.Message);
    }

    [Theory]
    [InlineData("[ErrorCode:RuntimeException] Non-zero status code returned while running MatMul node. Name:'MatMul_0' Status Message: CUDA failure 2: out of memory ; GPU=0 ; hostname=replica-1 ; file=cuda_allocator.cc ; line=48 ; expr=cudaMalloc((void**)&p, size);")]
    [InlineData("[ErrorCode:RuntimeException] Non-zero status code returned while running Conv node. Name:'conv1' Status Message: Available memory of 1048576 is smaller than requested bytes of 4194304")]
    [InlineData("[ErrorCode:Fail] Non-zero status code returned while running Gemm node. Status Message: CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0")]
    public void Translate_OutOfMemoryOnCuda_Is503RanOutOfGpuMemory(string message)
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cuda, message, null);

        Assert.IsType<ModelRunException>(error);
        Assert.Equal(503, error.StatusCode);
        Assert.StartsWith("model m v3 ran out of GPU memory", error.Message);
        Assert.Equal(1, error.RetryAfterSeconds);
    }

    [Fact]
    public void Translate_OutOfMemoryOnCpu_SaysMemoryNotGpuMemory()
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cpu, "[ErrorCode:RuntimeException] std::bad_alloc", null);

        Assert.Equal(503, error.StatusCode);
        Assert.StartsWith("model m v3 ran out of memory", error.Message);
    }

    [Theory]
    [InlineData("[ErrorCode:Fail] Non-zero status code returned while running Conv node. Status Message: CUDNN failure 5000: CUDNN_STATUS_EXECUTION_FAILED ; GPU=0", "Fail")]
    [InlineData("[ErrorCode:RuntimeException] CUDA failure 700: an illegal memory access was encountered ; GPU=0", "RuntimeException")]
    [InlineData("[ErrorCode:EngineError] the engine failed", "EngineError")]
    [InlineData("an error without ORT's prefix", "no error code")]
    public void Translate_AnyOtherCode_Is503NotTheCallersFault(string message, string code)
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cuda, message, null);

        Assert.IsType<ModelRunException>(error);
        Assert.Equal(503, error.StatusCode);
        Assert.Contains($"model m v3 failed to run on CUDAExecutionProvider ({code})", error.Message);
        Assert.DoesNotContain("[ErrorCode:", error.Message);
    }

    [Fact]
    public void Translate_CpuKernelThrowingOnTheData_Is400ForTheCaller()
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cpu,
            "[ErrorCode:RuntimeException] Non-zero status code returned while running Cast node. Name:'' Status Message: stod", null);

        Assert.IsType<InvalidInferenceInputException>(error);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("model m v3 could not run on this input: Non-zero status code returned while running Cast node. Name:'' Status Message: stod", error.Message);
    }

    [Fact]
    public void Translate_OtherCodesOnCpu_Stay503()
    {
        var error = OnnxRunFailure.Translate(Key, ExecutionProvider.Cpu, "[ErrorCode:Fail] the kernel could not start", null);

        Assert.Equal(503, error.StatusCode);
    }
}
