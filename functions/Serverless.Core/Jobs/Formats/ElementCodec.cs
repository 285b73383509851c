using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Tensor elements to and from row text. Numbers are read as the HTTP codec reads them (FP32 via double), so a job
/// and <c>/infer</c> score identical bytes for identical text.
/// </summary>
public static class ElementCodec
{
    /// <summary>One JSON value (the reader is on it) into <paramref name="target"/>, little-endian.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, TensorDataType type, Span<byte> target)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True or JsonTokenType.False:
                return type == TensorDataType.Bool && Set(target, (byte)(reader.TokenType == JsonTokenType.True ? 1 : 0));
            case JsonTokenType.String:
                if (type is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64)
                {
                    // JSON has no NaN or infinities; accept the strings the HTTP codec writes for them.
                    double special = reader.ValueTextEquals("NaN"u8) ? double.NaN
                        : reader.ValueTextEquals("Infinity"u8) ? double.PositiveInfinity
                        : reader.ValueTextEquals("-Infinity"u8) ? double.NegativeInfinity : 0;
                    return special != 0 && SetFloating(target, type, special);
                }
                return false;
            case JsonTokenType.Number:
                return reader.HasValueSequence ? false : TryRead(reader.ValueSpan, type, target);
            default:
                return false;
        }
    }

    /// <summary>One number written as text (a CSV field or a JSON number token).</summary>
    public static bool TryRead(ReadOnlySpan<byte> text, TensorDataType type, Span<byte> target)
    {
        text = text.Trim(" \t"u8);
        switch (type)
        {
            case TensorDataType.FP32:
            case TensorDataType.FP64:
            case TensorDataType.FP16:
                // double.TryParse takes "1e400" as infinity and "nan" or "+Infinity" in any case: only the exact strings the
                // HTTP codec writes mean the special values.
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    && (double.IsFinite(d) || text.SequenceEqual("NaN"u8) || text.SequenceEqual("Infinity"u8) || text.SequenceEqual("-Infinity"u8))
                    && SetFloating(target, type, d);
            case TensorDataType.Bool:
                if (text.SequenceEqual("true"u8) || text.SequenceEqual("1"u8)) return Set(target, (byte)1);
                if (text.SequenceEqual("false"u8) || text.SequenceEqual("0"u8)) return Set(target, (byte)0);
                return false;
            case TensorDataType.UInt8:
            case TensorDataType.UInt16:
            case TensorDataType.UInt32:
            case TensorDataType.UInt64:
                if (!Utf8Parser.TryParse(text, out ulong u, out var usedU) || usedU != text.Length) return false;
                return type switch
                {
                    TensorDataType.UInt8 => u <= byte.MaxValue && Set(target, (byte)u),
                    TensorDataType.UInt16 => u <= ushort.MaxValue && Set(target, (ushort)u),
                    TensorDataType.UInt32 => u <= uint.MaxValue && Set(target, (uint)u),
                    _ => Set(target, u),
                };
            default:
                if (!Utf8Parser.TryParse(text, out long i, out var usedI) || usedI != text.Length) return false;
                return type switch
                {
                    TensorDataType.Int8 => i is >= sbyte.MinValue and <= sbyte.MaxValue && Set(target, (sbyte)i),
                    TensorDataType.Int16 => i is >= short.MinValue and <= short.MaxValue && Set(target, (short)i),
                    TensorDataType.Int32 => i is >= int.MinValue and <= int.MaxValue && Set(target, (int)i),
                    _ => Set(target, i),
                };
        }
    }

    /// <summary>One number from a typed column (Parquet); integer types take only whole numbers in range.</summary>
    public static bool TryWrite(double value, TensorDataType type, Span<byte> target)
    {
        if (type is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64)
        {
            return SetFloating(target, type, value);
        }
        if (double.IsNaN(value) || Math.Floor(value) != value)
        {
            return false;
        }
        return type switch
        {
            TensorDataType.Bool => value is 0 or 1 && Set(target, (byte)value),
            TensorDataType.UInt8 => value is >= byte.MinValue and <= byte.MaxValue && Set(target, (byte)value),
            TensorDataType.UInt16 => value is >= ushort.MinValue and <= ushort.MaxValue && Set(target, (ushort)value),
            TensorDataType.UInt32 => value is >= uint.MinValue and <= uint.MaxValue && Set(target, (uint)value),
            TensorDataType.UInt64 => value is >= 0 and < 18446744073709551616.0 && Set(target, (ulong)value),
            TensorDataType.Int8 => value is >= sbyte.MinValue and <= sbyte.MaxValue && Set(target, (sbyte)value),
            TensorDataType.Int16 => value is >= short.MinValue and <= short.MaxValue && Set(target, (short)value),
            TensorDataType.Int32 => value is >= int.MinValue and <= int.MaxValue && Set(target, (int)value),
            _ => value is >= -9223372036854775808.0 and < 9223372036854775808.0 && Set(target, (long)value),
        };
    }

    /// <summary>Writes elements as JSON values, as the HTTP codec does (non-finite numbers as strings).</summary>
    public static void WriteJson(Utf8JsonWriter writer, TensorDataType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case TensorDataType.FP32:
                foreach (var v in MemoryMarshal.Cast<byte, float>(data)) { if (float.IsFinite(v)) writer.WriteNumberValue(v); else writer.WriteStringValue(NonFinite(v)); }
                break;
            case TensorDataType.FP64:
                foreach (var v in MemoryMarshal.Cast<byte, double>(data)) { if (double.IsFinite(v)) writer.WriteNumberValue(v); else writer.WriteStringValue(NonFinite(v)); }
                break;
            case TensorDataType.FP16:
                foreach (var h in MemoryMarshal.Cast<byte, Half>(data)) { var v = (float)h; if (float.IsFinite(v)) writer.WriteNumberValue(v); else writer.WriteStringValue(NonFinite(v)); }
                break;
            case TensorDataType.Bool:
                foreach (var b in data) writer.WriteBooleanValue(b != 0);
                break;
            case TensorDataType.Int64:
                foreach (var v in MemoryMarshal.Cast<byte, long>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int32:
                foreach (var v in MemoryMarshal.Cast<byte, int>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int16:
                foreach (var v in MemoryMarshal.Cast<byte, short>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Int8:
                foreach (var v in MemoryMarshal.Cast<byte, sbyte>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt64:
                foreach (var v in MemoryMarshal.Cast<byte, ulong>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt32:
                foreach (var v in MemoryMarshal.Cast<byte, uint>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.UInt16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(data)) writer.WriteNumberValue(v);
                break;
            case TensorDataType.Bytes:
                // The scorer has checked the elements are UTF-8 (a row whose output is not fails with that reason).
                foreach (var element in BytesTensor.Elements(data)) writer.WriteStringValue(element);
                break;
            default:
                foreach (var v in data) writer.WriteNumberValue(v);
                break;
        }
    }

    /// <summary>Formats element <paramref name="index"/> as CSV text (invariant, shortest round-trip for floats).</summary>
    public static int FormatText(TensorDataType type, ReadOnlySpan<byte> data, int index, Span<byte> target)
    {
        if (type == TensorDataType.Bool)
        {
            var text = data[index] != 0 ? "true"u8 : "false"u8;
            text.CopyTo(target);
            return text.Length;
        }
        int written;
        var ok = type switch
        {
            TensorDataType.FP32 => MemoryMarshal.Cast<byte, float>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.FP64 => MemoryMarshal.Cast<byte, double>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.FP16 => ((float)MemoryMarshal.Cast<byte, Half>(data)[index]).TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.Int64 => MemoryMarshal.Cast<byte, long>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.Int32 => MemoryMarshal.Cast<byte, int>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.Int16 => MemoryMarshal.Cast<byte, short>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.Int8 => MemoryMarshal.Cast<byte, sbyte>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.UInt64 => MemoryMarshal.Cast<byte, ulong>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.UInt32 => MemoryMarshal.Cast<byte, uint>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            TensorDataType.UInt16 => MemoryMarshal.Cast<byte, ushort>(data)[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
            _ => data[index].TryFormat(target, out written, default, CultureInfo.InvariantCulture),
        };
        return ok ? written : throw new InvalidOperationException("element text buffer too small");
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    /// <summary>Refuses a finite value that the narrower type can only hold as infinity (1e40 as FP32), as the HTTP codec does.</summary>
    private static bool SetFloating(Span<byte> target, TensorDataType type, double value) => type switch
    {
        TensorDataType.FP32 => float.IsFinite((float)value) == double.IsFinite(value) && Set(target, (float)value),
        TensorDataType.FP16 => Half.IsFinite((Half)value) == double.IsFinite(value) && Set(target, (Half)value),
        _ => Set(target, value),
    };

    private static bool Set<T>(Span<byte> target, T value) where T : unmanaged
    {
        MemoryMarshal.Write(target, in value);
        return true;
    }
}
