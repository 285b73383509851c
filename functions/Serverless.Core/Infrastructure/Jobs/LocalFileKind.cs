using System.Runtime.InteropServices;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// What a local path is, from stat(2), before anything opens it: opening a named pipe blocks until a writer comes, and
/// a device or socket never ends, so a job reads only regular files. .NET has no public API for the file type, so this
/// asks the runtime's own native shim (libSystem.Native, shipped with every .NET runtime on Unix), whose FileStatus
/// starts with two int32s, flags then mode, and whose mode uses its own fixed type bits whatever the platform.
/// </summary>
internal static partial class LocalFileKind
{
    private const int TypeMask = 0xF000;

    /// <summary>A readable name for the file type of <paramref name="path"/>, or null when it is a regular file, does not exist, or the type cannot be told (Windows).</summary>
    public static string? NotRegular(string path)
    {
        if (Directory.Exists(path))
        {
            return "a folder";
        }
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }
        // Room to spare: only the first two fields are read, and the struct may grow in later runtimes.
        Span<byte> status = stackalloc byte[512];
        if (Stat(path, ref MemoryMarshal.GetReference(status)) != 0)
        {
            return null;
        }
        var mode = BitConverter.ToInt32(status[4..8]);
        return (mode & TypeMask) switch
        {
            0x8000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte status);
}
