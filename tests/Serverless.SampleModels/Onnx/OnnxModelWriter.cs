using System.Buffers.Binary;
using Google.Protobuf;

namespace Serverless.SampleModels.Onnx;

/// <summary>
/// Serializes a ModelProto field by field: there is no protoc in this build, and the handful of messages we need
/// is smaller than generated code. Field numbers are from onnx.proto
/// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), which is proto2, so repeated scalars are written unpacked.
/// </summary>
public static class OnnxModelWriter
{
    // IR 8 with opset 13 unless a graph says otherwise: old enough for any ONNX Runtime of the last years, new enough
    // for Softmax over one axis.
    public const long IrVersion = 8;
    public const long OpsetVersion = 13;
    public const string ProducerName = "serverless-samples";

    public static byte[] Write(OnnxGraph graph) => WriteModel(graph, external: null);

    /// <summary>
    /// The model with some initializers' bytes in external-data files beside it, as exporters write models over
    /// protobuf's 2 GB limit: each such TensorProto holds data_location = EXTERNAL and location/offset/length entries
    /// instead of raw_data. <paramref name="fileOf"/> maps an initializer's name to a path relative to model.onnx
    /// (subfolders allowed), or null to keep it inline; initializers sharing a file are appended in graph order.
    /// </summary>
    public static OnnxModelFiles WriteWithExternalData(OnnxGraph graph, Func<string, string?> fileOf)
    {
        var external = new ExternalFiles(fileOf);
        var model = WriteModel(graph, external);
        return new OnnxModelFiles(model, external.Files.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal));
    }

    private static byte[] WriteModel(OnnxGraph graph, ExternalFiles? external) => Message(output =>
    {
        // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
        WriteInt64(output, 1, graph.IrVersion);
        WriteString(output, 2, ProducerName);
        WriteMessage(output, 7, Message(o => WriteGraph(o, graph, external)));
        // OperatorSetIdProto: domain = 1 (left empty for ai.onnx), version = 2.
        WriteMessage(output, 8, Message(o => WriteInt64(o, 2, graph.OpsetVersion)));
    });

    private sealed class ExternalFiles(Func<string, string?> fileOf)
    {
        public Dictionary<string, MemoryStream> Files { get; } = new(StringComparer.Ordinal);

        public Func<string, string?> FileOf { get; } = fileOf;
    }

    private static void WriteGraph(CodedOutputStream output, OnnxGraph graph, ExternalFiles? external)
    {
        // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
        foreach (var node in graph.Nodes)
        {
            WriteMessage(output, 1, Message(o => WriteNode(o, node)));
        }

        WriteString(output, 2, graph.Name);
        foreach (var initializer in graph.Initializers)
        {
            WriteMessage(output, 5, Message(o => WriteInitializer(o, initializer, external)));
        }

        foreach (var input in graph.Inputs)
        {
            WriteMessage(output, 11, Message(o => WriteValueInfo(o, input)));
        }

        foreach (var graphOutput in graph.Outputs)
        {
            WriteMessage(output, 12, Message(o => WriteValueInfo(o, graphOutput)));
        }
    }

    private static void WriteNode(CodedOutputStream output, OnnxNode node)
    {
        // NodeProto: input = 1, output = 2, op_type = 4, attribute = 5.
        foreach (var input in node.Inputs)
        {
            WriteString(output, 1, input);
        }

        foreach (var nodeOutput in node.Outputs)
        {
            WriteString(output, 2, nodeOutput);
        }

        WriteString(output, 4, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            WriteMessage(output, 5, Message(o => WriteAttribute(o, attribute)));
        }
    }

    private static void WriteAttribute(CodedOutputStream output, OnnxAttribute attribute)
    {
        // AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20 (AttributeType FLOAT = 1, INT = 2, INTS = 7).
        WriteString(output, 1, attribute.Name);
        if (attribute.Float is { } f)
        {
            output.WriteTag(2, WireFormat.WireType.Fixed32);
            output.WriteFloat(f);
            WriteInt64(output, 20, 1);
        }
        else if (attribute.Int is { } i)
        {
            WriteInt64(output, 3, i);
            WriteInt64(output, 20, 2);
        }
        else if (attribute.Ints is { } ints)
        {
            foreach (var value in ints)
            {
                WriteInt64(output, 8, value);
            }

            WriteInt64(output, 20, 7);
        }
        else
        {
            throw new ArgumentException($"attribute '{attribute.Name}' has no value");
        }
    }

    private static void WriteInitializer(CodedOutputStream output, OnnxInitializer tensor, ExternalFiles? external)
    {
        // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (fixed-width little-endian).
        foreach (var dim in tensor.Dims)
        {
            WriteInt64(output, 1, dim);
        }

        WriteInt64(output, 2, (long)tensor.ElementType);
        WriteString(output, 8, tensor.Name);
        byte[] raw;
        if (tensor.Int64Values is { } longs)
        {
            raw = new byte[longs.Length * sizeof(long)];
            for (var i = 0; i < longs.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), longs[i]);
            }
        }
        else
        {
            raw = new byte[tensor.Values.Length * sizeof(float)];
            for (var i = 0; i < tensor.Values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), tensor.Values[i]);
            }
        }

        if (external?.FileOf(tensor.Name) is not { } location)
        {
            WriteMessage(output, 9, raw);
            return;
        }

        // TensorProto: external_data = 13 (StringStringEntryProto: key = 1, value = 2), data_location = 14 (EXTERNAL = 1).
        if (!external.Files.TryGetValue(location, out var file))
        {
            external.Files[location] = file = new MemoryStream();
        }

        var offset = file.Length;
        file.Write(raw);
        foreach (var (key, value) in new[] { ("location", location), ("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("length", raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
        {
            WriteMessage(output, 13, Message(e =>
            {
                WriteString(e, 1, key);
                WriteString(e, 2, value);
            }));
        }

        WriteInt64(output, 14, 1);
    }

    private static void WriteValueInfo(CodedOutputStream output, OnnxValueInfo info)
    {
        // ValueInfoProto: name = 1, type = 2 -> TypeProto: tensor_type = 1 -> TypeProto.Tensor: elem_type = 1, shape = 2
        // -> TensorShapeProto: dim = 1 -> Dimension: dim_value = 1 | dim_param = 2. An optional input's TypeProto holds
        // optional_type = 9 -> TypeProto.Optional: elem_type = 1 -> the tensor's TypeProto.
        WriteString(output, 1, info.Name);
        var shape = Message(s =>
        {
            foreach (var dim in info.Shape)
            {
                WriteMessage(s, 1, Message(d =>
                {
                    if (dim.Param is null)
                    {
                        WriteInt64(d, 1, dim.Value);
                    }
                    else
                    {
                        WriteString(d, 2, dim.Param);
                    }
                }));
            }
        });
        var tensorType = Message(t =>
        {
            WriteInt64(t, 1, (long)info.ElementType);
            WriteMessage(t, 2, shape);
        });
        var type = Message(t => WriteMessage(t, 1, tensorType));
        WriteMessage(output, 2, info.Optional ? Message(t => WriteMessage(t, 9, Message(o => WriteMessage(o, 1, type)))) : type);
    }

    // Nested messages are length-prefixed, so each is serialized to its own buffer first.
    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, byte[] body)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(body));
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }
}
