using Microsoft.Data.Sqlite;

namespace Serverless.Core.Errors;

/// <summary>
/// The rule for the server's own storage failing under a call: a full disk (ENOSPC, EDQUOT; Windows' ERROR_DISK_FULL,
/// ERROR_HANDLE_DISK_FULL), a read-only one (EROFS, ERROR_WRITE_PROTECT), or SQLite saying either (SQLITE_FULL,
/// SQLITE_READONLY), that its write failed (SQLITE_IOERR) or that it could not open its file (SQLITE_CANTOPEN). None is the caller's fault and each passes once an operator
/// frees space, so the answer is a 503 with Retry-After, told in product terms: the exception's own message names
/// the file (an absolute path) and .NET internals, which go to the log only.
/// </summary>
public static class DataDiskFailure
{
    /// <summary>Long enough for an operator or a cleanup to free space; a retry within a second would fail the same way.</summary>
    public const int RetryAfterSeconds = 10;

    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int Erofs = 30;
    private const int ErrorDiskFull = 0x70;
    private const int ErrorHandleDiskFull = 0x27;
    private const int ErrorWriteProtect = 0x13;
    private const int SqliteFull = 13;
    private const int SqliteIoError = 10;
    private const int SqliteReadOnly = 8;
    private const int SqliteCantOpen = 14;

    /// <summary>What about the disk failed, in product terms, when <paramref name="exception"/> or one of its causes is the disk failing; else null.</summary>
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (Describe(e.HResult, (e as SqliteException)?.SqliteErrorCode, e is IOException) is { } what)
            {
                return what;
            }
        }
        return null;
    }

    public static bool Is(Exception exception) => Describe(exception) is not null;

    /// <summary>The message a client gets: what failed, what was not done because of it, and that a retry may pass.</summary>
    /// <param name="notDone">What the call could not do, e.g. "the job could not be recorded".</param>
    public static string Message(Exception exception, string notDone) =>
        $"the server's data disk {Describe(exception) ?? "failed"}: {notDone}; retry later";

    private static string? Describe(int hresult, int? sqliteErrorCode, bool isIOException)
    {
        if (sqliteErrorCode is { } code)
        {
            // The primary result code: an extended one (SQLITE_IOERR_WRITE = 778) carries it in its low byte.
            return (code & 0xFF) switch
            {
                SqliteFull => "is full",
                SqliteReadOnly => "is read-only",
                SqliteIoError => "failed to read or write",
                // A WAL database on a read-only disk: its -shm file cannot be made.
                SqliteCantOpen => "refused to open a database",
                _ => null,
            };
        }
        if (!isIOException)
        {
            return null;
        }
        if (OperatingSystem.IsWindows())
        {
            // A Win32 error as an HRESULT: 0x8007xxxx.
            return (uint)hresult >> 16 == 0x8007 ? (hresult & 0xFFFF) switch
            {
                ErrorDiskFull or ErrorHandleDiskFull => "is full",
                ErrorWriteProtect => "is read-only",
                _ => null,
            } : null;
        }
        // On Unix .NET sets an IOException's HResult to the errno.
        return hresult switch
        {
            Enospc or Edquot => "is full",
            Erofs => "is read-only",
            _ => null,
        };
    }
}
