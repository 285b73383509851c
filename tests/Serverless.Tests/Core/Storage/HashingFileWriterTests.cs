using System.Security.Cryptography;
using Serverless.Core.Infrastructure.Storage;

namespace Serverless.Tests.Core.Storage;

public sealed class HashingFileWriterTests
{
    [Fact]
    public async Task WriteAsync_ManyChunksOfOddSizes_FileAndHashMatchTheBytesInOrder()
    {
        var data = new byte[3_000_001];
        new Random(5).NextBytes(data);
        var path = Path.GetTempFileName();
        try
        {
            byte[] hash;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
            await using (var writer = new HashingFileWriter(file, HashAlgorithmName.MD5))
            {
                // Chunks of changing sizes, as a network stream hands them over; the writer copies each before returning.
                var buffer = new byte[70_000];
                for (int offset = 0, size = 1; offset < data.Length; offset += size, size = size * 7 % 65_521 + 1)
                {
                    size = Math.Min(size, data.Length - offset);
                    data.AsSpan(offset, size).CopyTo(buffer);
                    await writer.WriteAsync(buffer.AsMemory(0, size));
                    buffer.AsSpan().Clear();
                }
                hash = await writer.GetHashAsync();
            }

            Assert.Equal(MD5.HashData(data), hash);
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
