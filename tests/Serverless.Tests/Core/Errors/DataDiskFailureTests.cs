using Microsoft.Data.Sqlite;
using Serverless.Core.Errors;
using Serverless.Core.Metering;

namespace Serverless.Tests.Core.Errors;

/// <summary>
/// The server's own storage failing (a full or read-only data disk) is a 503 told in product terms, whatever layer
/// raised it: POST /jobs and the admin API answered 500 "internal server error" for it.
/// </summary>
public sealed class DataDiskFailureTests
{
    private const string JournalPath = "/home/site/data/usage-journal/vm/000000000001.journal";

    [Theory]
    [InlineData(28)] // ENOSPC
    [InlineData(122)] // EDQUOT
    [InlineData(30)] // EROFS
    public void StatusOf_IOExceptionOfAFullOrReadOnlyDisk_Is503(int errno) =>
        Assert.Equal(503, ServerlessException.StatusOf(new IOException($"No space left on device : '{JournalPath}'", UnixOrWindows(errno)), CancellationToken.None));

    [Theory]
    [InlineData(13)] // SQLITE_FULL
    [InlineData(8)] // SQLITE_READONLY
    [InlineData(10)] // SQLITE_IOERR
    [InlineData(778)] // SQLITE_IOERR_WRITE, an extended code
    [InlineData(14)] // SQLITE_CANTOPEN: a WAL database on a read-only disk
    public void StatusOf_SqliteSayingTheDiskFailed_Is503(int code) =>
        Assert.Equal(503, ServerlessException.StatusOf(new SqliteException("SQLite Error: 'database or disk is full'.", code), CancellationToken.None));

    [Fact]
    public void StatusOf_DiskFullWrappedByAStore_Is503() =>
        Assert.Equal(503, ServerlessException.StatusOf(
            new UsageStoreException("SQLite /data/usage.db: database or disk is full", new HashSet<string>(), new SqliteException("database or disk is full", 13)),
            CancellationToken.None));

    [Fact]
    public void StatusOf_OtherStorageErrors_Are500()
    {
        Assert.Equal(500, ServerlessException.StatusOf(new IOException("Resource temporarily unavailable", 11), CancellationToken.None));
        Assert.Equal(500, ServerlessException.StatusOf(new SqliteException("UNIQUE constraint failed", 19), CancellationToken.None));
        Assert.Equal(500, ServerlessException.StatusOf(new InvalidOperationException("bug", new ArgumentException("28")), CancellationToken.None));
    }

    [Fact]
    public void Message_DiskFull_NamesTheDiskNotThePath()
    {
        var message = DataDiskFailure.Message(new IOException($"No space left on device : '{JournalPath}'", UnixOrWindows(28)), "the job could not be recorded");

        Assert.Equal("the server's data disk is full: the job could not be recorded; retry later", message);
    }

    [Fact]
    public void Message_ReadOnlyDatabase_SaysReadOnly() =>
        Assert.Equal("the server's data disk is read-only: the caller could not be stored; retry later",
            DataDiskFailure.Message(new SqliteException("attempt to write a readonly database", 8), "the caller could not be stored"));

    /// <summary>The HResult .NET gives the errno's IOException: the errno on Unix, the Win32 error as an HRESULT on Windows.</summary>
    private static int UnixOrWindows(int errno) => !OperatingSystem.IsWindows() ? errno : errno switch
    {
        28 or 122 => unchecked((int)0x80070070), // ERROR_DISK_FULL
        30 => unchecked((int)0x80070013), // ERROR_WRITE_PROTECT
        _ => errno,
    };
}
