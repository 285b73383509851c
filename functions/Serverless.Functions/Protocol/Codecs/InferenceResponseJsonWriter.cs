using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Writes an Open Inference Protocol v2 JSON response, or, for outputs sent as binary tensor data, the JSON header
/// that describes them (<c>parameters.binary_data_size</c> instead of <c>data</c>).
/// </summary>
public static class InferenceResponseJsonWriter
{
    /// <summary>
    /// Checks, before anything is written or billed, that every output going out as JSON can be: a BYTES element that
    /// is not UTF-8 has no JSON string form, and the caller is told to ask for that output as binary data instead.
    /// </summary>
    public static void EnsureWritable(InferenceResponse response, BinaryOutputSelection binaryOutputs)
    {
        foreach (var output in response.Outputs)
        {
            if (output.DataType != TensorDataType.Bytes || binaryOutputs.IsBinary(output.Name))
            {
                continue;
            }
            if (BytesTensor.IndexOfInvalidUtf8(output.Data.Span) is var index and >= 0)
            {
                throw new InvalidInferenceInputException(
                    $"output '{output.Name}': BYTES element {index} is not valid UTF-8, so it cannot be written as a JSON string; ask for it as binary data (outputs[].parameters.binary_data: true)");
            }
        }
    }

    public static void Write(Utf8JsonWriter writer, InferenceResponse response, BinaryOutputSelection? binaryOutputs = null)
    {
        binaryOutputs ??= BinaryOutputSelection.None;
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, response.ModelName);
        writer.WriteString("model_version"u8, response.ModelVersion);
        if (response.Id is not null)
        {
            writer.WriteString("id"u8, response.Id);
        }
        writer.WriteStartArray("outputs"u8);
        foreach (var output in response.Outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, output.Name);
            writer.WriteString("datatype"u8, output.DataType.WireName());
            writer.WriteStartArray("shape"u8);
            foreach (var dim in output.Shape)
            {
                writer.WriteNumberValue(dim);
            }
            writer.WriteEndArray();
            if (binaryOutputs.IsBinary(output.Name))
            {
                writer.WriteStartObject("parameters"u8);
                writer.WriteNumber("binary_data_size"u8, output.Data.Length);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("data"u8);
                TensorElementCodec.For(output.DataType).WriteJson(writer, output.Data.Span);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
