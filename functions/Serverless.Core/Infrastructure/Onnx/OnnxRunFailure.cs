using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Translates an ONNX Runtime failure of <c>Run</c> by its error code: <c>InvalidArgument</c>, and a CPU kernel's
/// <c>RuntimeException</c> on the data, are the caller's input (400, one failed row in a job); running out of memory and
/// every other code are the server's (503), so they are neither blamed on the caller nor recorded as bad rows.
/// </summary>
internal static partial class OnnxRunFailure
{
    // OnnxRuntimeException keeps ORT's code only in its message ("[ErrorCode:InvalidArgument] ..."); the enum is internal.
    [GeneratedRegex(@"^\[ErrorCode:(?<code>\w+)\]\s*")]
    private static partial Regex CodePrefix();

    // What ONNX Runtime 1.31 and 1.32 say when memory runs out: the arena's limit (gpu_mem_limit), cudaMalloc's
    // cudaErrorMemoryAllocation, cuBLAS/cuDNN/cuFFT allocation statuses, and std::bad_alloc on the CPU.
    [GeneratedRegex(@"out of memory|Available memory of \d+ is smaller than requested|ALLOC(ATION)?_FAILED|bad_alloc|Failed to allocate memory", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfMemory();

    public static ServerlessException Translate(ModelKey key, ExecutionProvider executionProvider, OnnxRuntimeException e) =>
        Translate(key, executionProvider, e.Message, e);

    public static ServerlessException Translate(ModelKey key, ExecutionProvider executionProvider, string message, Exception? inner)
    {
        var prefix = CodePrefix().Match(message);
        var code = prefix.Success ? prefix.Groups["code"].Value : "";
        var detail = message[prefix.Length..];
        if (code == "InvalidArgument")
        {
            // Inputs already match the declared types and ranks, so what ORT still refuses (a dimension the graph
            // cannot take, an index out of range) is the caller's to fix.
            return new InvalidInferenceInputException($"model {key} rejected the input: {detail}", inner);
        }
        if (OutOfMemory().IsMatch(message))
        {
            var memory = executionProvider.OnGpu() ? "GPU memory" : "memory";
            return new ModelRunException($"model {key} ran out of {memory} during this request (a smaller batch may fit): {detail}", inner)
            {
                RetryAfterSeconds = 1,
            };
        }
        if (code == "RuntimeException" && !executionProvider.OnGpu())
        {
            // A CPU kernel that threw on the data itself (Cast of "abc" to a number: std::stod's "stod"). The same
            // input fails the same way on every retry, so it is the caller's: a 400, and in a job one failed row.
            // On a GPU the same code also carries device faults that a retry on a fresh session may not meet: 503.
            return new InvalidInferenceInputException($"model {key} could not run on this input: {detail}", inner);
        }
        return new ModelRunException($"model {key} failed to run on {executionProvider.WireName()} ({(code.Length > 0 ? code : "no error code")}): {detail}", inner);
    }
}
