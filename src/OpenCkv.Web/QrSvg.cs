using QRCoder;

namespace OpenCkv.Web;

/// <summary>A QR code of the canonical public verification code (docs/ckv-protocol.md §4) as inline SVG.</summary>
public static class QrSvg
{
    /// <summary>The SVG markup; upper case, so the code fits the QR alphanumeric mode.</summary>
    public static string Of(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        using var generator = new QRCodeGenerator();
        using QRCodeData data = generator.CreateQrCode(code.ToUpperInvariant(), QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(6);
    }
}
