namespace Serverless.Core.Inference.Elements;

/// <summary>
/// Work that depends on a tensor's datatype, written once, generic over the element:
/// <see cref="TensorDataTypes.Visit{TVisitor,TResult}"/> calls <see cref="Visit{TElement,T}"/> with the element of the
/// datatype it is given, or <see cref="VisitBytes"/> for BYTES, whose elements have no fixed size. Implement it on a
/// struct (a ref struct to carry spans): the JIT then compiles one specialized copy per datatype.
/// </summary>
public interface ITensorElementVisitor<TResult>
{
    TResult Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged;

    TResult VisitBytes();
}
