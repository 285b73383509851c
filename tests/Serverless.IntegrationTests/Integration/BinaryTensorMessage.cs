using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Tests.Integration;

/// <summary>
/// The binary tensor data extension from a client's side, written independently of the server's codecs: turns a JSON
/// request into its binary form and reads binary responses back into plain values.
/// </summary>
public static class BinaryTensorMessage
{
    public const string HeaderName = "Inference-Header-Content-Length";

    /// <summary>The request with the named inputs (all when null) moved to binary data, and outputs asked for in binary.</summary>
    public static (byte[] Body, int HeaderLength) FromJson(string requestJson, ISet<string>? binaryInputs = null, bool binaryOutputs = true)
    {
        var request = JsonNode.Parse(requestJson)!.AsObject();
        var binary = new List<byte>();
        foreach (var input in request["inputs"]!.AsArray())
        {
            var name = input!["name"]!.GetValue<string>();
            if (binaryInputs is not null && !binaryInputs.Contains(name))
            {
                continue;
            }
            var bytes = Encode(input["datatype"]!.GetValue<string>(), Flatten(input["data"]!));
            input.AsObject().Remove("data");
            input["parameters"] = new JsonObject { ["binary_data_size"] = bytes.Length };
            binary.AddRange(bytes);
        }
        if (binaryOutputs)
        {
            request["parameters"] = new JsonObject { ["binary_data_output"] = true };
        }
        var header = Encoding.UTF8.GetBytes(request.ToJsonString());
        return ([.. header, .. binary], header.Length);
    }

    public static ByteArrayContent Content(byte[] body, int? headerLength)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (headerLength is { } length)
        {
            content.Headers.Add(HeaderName, length.ToString(CultureInfo.InvariantCulture));
        }
        return content;
    }

    /// <summary>Each output's values by name, whether it came as JSON data or as binary data after the header.</summary>
    public static async Task<Dictionary<string, double[]>> ReadOutputsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var headerLength = response.Headers.TryGetValues(HeaderName, out var values) ? int.Parse(values.Single(), CultureInfo.InvariantCulture) : body.Length;
        using var header = JsonDocument.Parse(body.AsMemory(0, headerLength));
        var offset = headerLength;
        var outputs = new Dictionary<string, double[]>();
        foreach (var output in header.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var name = output.GetProperty("name").GetString()!;
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size))
            {
                outputs[name] = Decode(output.GetProperty("datatype").GetString()!, body.AsSpan(offset, size.GetInt32()));
                offset += size.GetInt32();
            }
            else
            {
                var data = Flatten(JsonNode.Parse(output.GetProperty("data").GetRawText())!);
                // FP32 text is the float's shortest round-trip form: read it back as a float to compare with bytes.
                outputs[name] = output.GetProperty("datatype").GetString() == "FP32" ? data.Select(v => (double)(float)v).ToArray() : data.ToArray();
            }
        }
        Assert.Equal(body.Length, offset);
        return outputs;
    }

    private static List<double> Flatten(JsonNode node)
    {
        var values = new List<double>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray array:
                    foreach (var item in array) Walk(item);
                    break;
                case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    values.Add(value.GetValue<bool>() ? 1 : 0);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    values.Add(double.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture));
                    break;
                case JsonValue value:
                    values.Add(value.GetValue<double>());
                    break;
            }
        }
        Walk(node);
        return values;
    }

    private static byte[] Encode(string datatype, List<double> values)
    {
        var size = datatype switch { "BOOL" or "UINT8" or "INT8" => 1, "FP16" or "INT16" or "UINT16" => 2, "FP32" or "INT32" or "UINT32" => 4, _ => 8 };
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            var v = values[i];
            switch (datatype)
            {
                case "BOOL" or "UINT8": span[0] = (byte)v; break;
                case "INT8": span[0] = (byte)(sbyte)v; break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(span, (int)v); break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(span, (long)v); break;
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(span, (float)v); break;
                case "FP64": BinaryPrimitives.WriteDoubleLittleEndian(span, v); break;
                default: throw new NotSupportedException(datatype);
            }
        }
        return bytes;
    }

    private static double[] Decode(string datatype, ReadOnlySpan<byte> bytes)
    {
        var size = datatype switch { "BOOL" or "UINT8" or "INT8" => 1, "FP16" or "INT16" or "UINT16" => 2, "FP32" or "INT32" or "UINT32" => 4, _ => 8 };
        var values = new double[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.Slice(i * size, size);
            values[i] = datatype switch
            {
                "BOOL" or "UINT8" => span[0],
                "INT8" => (sbyte)span[0],
                "INT32" => BinaryPrimitives.ReadInt32LittleEndian(span),
                "INT64" => BinaryPrimitives.ReadInt64LittleEndian(span),
                "FP32" => BinaryPrimitives.ReadSingleLittleEndian(span),
                "FP64" => BinaryPrimitives.ReadDoubleLittleEndian(span),
                _ => throw new NotSupportedException(datatype),
            };
        }
        return values;
    }
}
