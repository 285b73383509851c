using System.Buffers;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// The arrays a JSON request's tensors are decoded into, counted in its <see cref="RequestBodyReservation"/>: a JSON
/// body decodes to up to 4x its size (FP64 "1," is 2 bytes of text, 8 of tensor) and a pooled array is rounded up to a
/// power of two, so the body's bytes alone understate what a request holds. Each array is reserved before it is
/// rented (503 when it does not fit), and its rounding up once it is.
/// </summary>
internal sealed class RequestBodyTensorPool(RequestBodyReservation reservation) : ArrayPool<byte>
{
    public override byte[] Rent(int minimumLength)
    {
        reservation.Grow(minimumLength);
        var array = Shared.Rent(minimumLength);
        reservation.Add(array.Length - minimumLength);
        return array;
    }

    // The reservation is returned whole with the request (the tensors are returned just before it).
    public override void Return(byte[] array, bool clearArray = false) => Shared.Return(array, clearArray);
}
