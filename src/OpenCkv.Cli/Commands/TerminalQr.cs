using QRCoder;

namespace OpenCkv.Cli.Commands;

/// <summary>A QR code of the canonical public code (docs/ckv-protocol.md §4), drawn with block characters.</summary>
internal static class TerminalQr
{
    public static string Render(string text)
    {
        using var generator = new QRCodeGenerator();
        using QRCodeData data = generator.CreateQrCode(text.ToUpperInvariant(), QRCodeGenerator.ECCLevel.M);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall();
    }
}
