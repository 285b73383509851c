using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>An ONNX Runtime <see cref="InferenceSession"/> behind the core's <see cref="IModelSession"/>.</summary>
internal sealed class OnnxModelSession : IModelSession
{
    // ONNX Runtime wants a non-null pointer even for a tensor with no elements.
    private static readonly byte[] EmptyBuffer = new byte[8];

    private readonly ModelKey _key;
    private readonly InferenceSession _session;
    private Action? _afterServing;
    private int _runsUntilServed;
    private readonly SessionOptions _options;
    // Shared by every Run: it only carries settings, and one per call would be an allocation per request.
    private readonly RunOptions _runOptions = new();
    private readonly bool _ioBinding;

    /// <param name="afterServing">Run once, in the background, after the <paramref name="servingRun"/>-th run has returned.</param>
    /// <param name="ioBinding">Run through an IO binding (config.json gpu.io_binding, on CUDA only).</param>
    public OnnxModelSession(ModelKey key, InferenceSession session, SessionOptions options, ExecutionProvider executionProvider, Action? afterServing = null, int servingRun = 1, bool ioBinding = false)
    {
        _ioBinding = ioBinding;
        _afterServing = afterServing;
        _runsUntilServed = servingRun;
        _key = key;
        _session = session;
        _options = options;
        ExecutionProvider = executionProvider;
        try
        {
            Inputs = Describe(session.InputMetadata.Where(i => i.Value.OnnxValueType != OnnxValueType.ONNX_TYPE_OPTIONAL), "input");
            OptionalInputs = DescribeOptional(session);
            Outputs = Describe(session.OutputMetadata, "output");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ExecutionProvider ExecutionProvider { get; }

    public IReadOnlyList<TensorMetadata> Inputs { get; }

    public IReadOnlyList<TensorMetadata> OptionalInputs { get; }

    public IReadOnlyList<TensorMetadata> Outputs { get; }

    public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var started = Stopwatch.GetTimestamp();
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                names[i] = input.Name;
                if (input.DataType == TensorDataType.Bytes)
                {
                    values[i] = ToStringTensor(input);
                    continue;
                }
                // Run reads the request's own buffer, pinned, when it is aligned as ONNX Runtime aligns its own.
                var data = input.Data.Length == 0 ? EmptyBuffer : input.Data;
                pins[i] = MemoryMarshal.AsMemory(data).Pin();
                unsafe
                {
                    values[i] = IsAligned(pins[i].Pointer)
                        ? OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance,
                            OnnxTensorTypes.ToElementType(input.DataType), input.Shape, (IntPtr)pins[i].Pointer, input.Data.Length)
                        : AlignedCopy(input);
                }
            }
            var inferStarted = Stopwatch.GetTimestamp();
            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = _ioBinding
                    ? OnnxIoBindingRun.Run(_session, _runOptions, names, values, outputNames)
                    : _session.Run(_runOptions, names, values, outputNames);
            }
            catch (OnnxRuntimeException e)
            {
                // By ORT's error code: only InvalidArgument is the caller's; out of GPU memory and the rest are 503s.
                throw OnnxRunFailure.Translate(_key, ExecutionProvider, e);
            }
            var outputStarted = Stopwatch.GetTimestamp();
            using (results)
            {
                // One copy out of ONNX Runtime's memory into pooled arrays, so the OrtValues are released here and the
                // outputs can outlive the Run (batch splitting, writing the response); the endpoint returns them.
                var buffers = new PooledTensorBuffers();
                var outputs = new InferenceTensor[outputNames.Count];
                for (var i = 0; i < outputs.Length; i++)
                {
                    outputs[i] = ToTensor(outputNames[i], results[i], buffers);
                }
                var finished = Stopwatch.GetTimestamp();
                if (_afterServing is not null && Interlocked.Decrement(ref _runsUntilServed) == 0)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static action => action(), Interlocked.Exchange(ref _afterServing, null)!, preferLocal: false);
                }
                return new SessionRunResult(outputs, inferStarted - started, outputStarted - inferStarted, finished - outputStarted) { Buffers = buffers };
            }
        }
        finally
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    // ONNX Runtime's CPU allocator aligns every buffer it makes to 64 bytes. Its vectorized kernels (MLAS) handle a
    // misaligned head apart from the aligned body, which sums in another order: the layer normalization of
    // test_layer_normalization_4d_axis_negative_1_expanded gave Mean[1] 0.025766606 from a buffer at an address 0 mod 16
    // and 0.025766611 at 8 mod 16. A managed array lands wherever the GC put it (and a binary input wherever it sits in
    // the body), so without this the same request could get different last bits from one call to the next.
    private const int Alignment = 64;

    private static unsafe bool IsAligned(void* pointer) => ((nuint)pointer & (Alignment - 1)) == 0;

    /// <summary>A tensor in ONNX Runtime's own (aligned) memory holding a copy of the input: one copy of its bytes.</summary>
    private static OrtValue AlignedCopy(InferenceTensor input)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, OnnxTensorTypes.ToElementType(input.DataType), input.Shape);
        input.Data.Span.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private InferenceTensor ToTensor(string name, OrtValue value, PooledTensorBuffers buffers)
    {
        if (!value.IsTensor)
        {
            throw new ModelLoadException($"model {_key}: output '{name}' is a {value.OnnxType}, which this server cannot return");
        }
        var info = value.GetTensorTypeAndShape();
        var type = OnnxTensorTypes.ToDataType(info.ElementDataType)
            ?? throw new ModelLoadException($"model {_key}: output '{name}' has element type {info.ElementDataType}, which this server cannot return");
        if (info.ElementCount == 0)
        {
            return new InferenceTensor(name, type, info.Shape, ReadOnlyMemory<byte>.Empty);
        }
        if (type == TensorDataType.Bytes)
        {
            return new InferenceTensor(name, type, info.Shape, FromStringTensor(value, checked((int)info.ElementCount), buffers));
        }
        var raw = value.GetTensorMutableRawData();
        var bytes = buffers.Rent(raw.Length);
        raw.CopyTo(bytes.Span);
        return new InferenceTensor(name, type, info.Shape, bytes);
    }

    /// <summary>
    /// ONNX Runtime keeps string tensors as its own strings, so BYTES elements are copied in, byte for byte (NUL bytes
    /// and bytes that are not UTF-8 included: the byte overload does no transcoding).
    /// </summary>
    private static OrtValue ToStringTensor(InferenceTensor input)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape);
        try
        {
            var index = 0;
            foreach (var element in BytesTensor.Elements(input.Data.Span))
            {
                value.StringTensorSetElementAt(element, index++);
            }
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>A string output in the core's BYTES layout: one pass to size it, one to copy each element's bytes.</summary>
    private static ReadOnlyMemory<byte> FromStringTensor(OrtValue value, int count, PooledTensorBuffers buffers)
    {
        var length = 0L;
        for (var i = 0; i < count; i++)
        {
            length += BytesTensor.LengthPrefix + value.GetStringElementAsSpan(i).Length;
        }
        var bytes = buffers.Rent(checked((int)length));
        var span = bytes.Span;
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            offset += BytesTensor.Write(span[offset..], value.GetStringElementAsSpan(i));
        }
        return bytes;
    }

    /// <summary>
    /// Inputs a request may leave out. Initializers that the graph also lists as inputs are overridable defaults (ONNX
    /// Runtime lists them apart, and only for IR 4 and later; before that they are constants); an input of ONNX's
    /// optional type may be left out and is then None to the graph.
    /// </summary>
    private IReadOnlyList<TensorMetadata> DescribeOptional(InferenceSession session)
    {
        var optional = new List<TensorMetadata>(Describe(session.OverridableInitializerMetadata, "initializer input"));
        foreach (var (name, node) in session.InputMetadata)
        {
            if (node.OnnxValueType == OnnxValueType.ONNX_TYPE_OPTIONAL)
            {
                optional.AddRange(Describe([KeyValuePair.Create(name, node.AsOptionalMetadata().ElementMeta)], "optional input"));
            }
        }
        return optional.Select(t => t with { Optional = true }).ToList();
    }

    private IReadOnlyList<TensorMetadata> Describe(IEnumerable<KeyValuePair<string, NodeMetadata>> nodes, string kind)
    {
        var described = new List<TensorMetadata>();
        foreach (var (name, node) in nodes)
        {
            var type = node.IsTensor ? OnnxTensorTypes.ToDataType(node.ElementDataType) : null;
            if (type is null)
            {
                var what = node.IsTensor ? $"tensor of {node.ElementDataType}" : node.OnnxValueType.ToString();
                throw new ModelLoadException($"model {_key}: {kind} '{name}' is a {what}; supported are tensors of BOOL, (U)INT8-64, FP16, FP32, FP64, STRING and optional tensors");
            }
            described.Add(new TensorMetadata(name, type.Value, node.Dimensions.Select(d => (long)d).ToArray()));
        }
        return described;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _options.Dispose();
    }
}
