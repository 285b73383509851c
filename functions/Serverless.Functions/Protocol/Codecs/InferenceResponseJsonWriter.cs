using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

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
            var index = 0;
            foreach (var element in BytesTensor.Elements(output.Data.Span))
            {
                if (!Utf8.IsValid(element))
                {
                    throw new InvalidInferenceInputException(
                        $"output '{output.Name}': BYTES element {index} is not valid UTF-8, so it cannot be written as a JSON string; ask for it as binary data (outputs[].parameters.binary_data: true)");
                }
                index++;
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
                WriteData(writer, output.DataType, output.Data.Span);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Flat, row-major element values; one loop per datatype so the per-element path has no branches or boxing.</summary>
    public static void WriteData(Utf8JsonWriter writer, TensorDataType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case TensorDataType.Bool:
                foreach (var b in data) writer.WriteBooleanValue(b != 0);
                break;
            case TensorDataType.UInt8:
                foreach (var v in data) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int8:
                foreach (var v in MemoryMarshal.Cast<byte, sbyte>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int16:
                foreach (var v in MemoryMarshal.Cast<byte, short>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt32:
                foreach (var v in MemoryMarshal.Cast<byte, uint>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int32:
                foreach (var v in MemoryMarshal.Cast<byte, int>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt64:
                foreach (var v in MemoryMarshal.Cast<byte, ulong>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int64:
                foreach (var v in MemoryMarshal.Cast<byte, long>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.FP16:
                foreach (var v in MemoryMarshal.Cast<byte, Half>(data)) WriteFloat(writer, (float)v);
                break;
            case TensorDataType.FP32:
                foreach (var v in MemoryMarshal.Cast<byte, float>(data)) WriteFloat(writer, v);
                break;
            case TensorDataType.FP64:
                foreach (var v in MemoryMarshal.Cast<byte, double>(data)) WriteDouble(writer, v);
                break;
            case TensorDataType.Bytes:
                // UTF-8 already checked by EnsureWritable; the writer escapes what JSON needs escaped (NUL, quotes).
                foreach (var element in BytesTensor.Elements(data)) writer.WriteStringValue(element);
                break;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    // JSON has no NaN or infinities; they travel as strings (the request reader accepts the same).
    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
