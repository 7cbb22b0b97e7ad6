// Canonical gray pixels → a PNG data URL through a canvas: report galleries embed images
// so an exported report opens offline.
export async function grayToPngDataUrl(gray: { width: number; height: number; pixels: Uint8Array }): Promise<string> {
  const canvas = new OffscreenCanvas(gray.width, gray.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas available to encode the gallery');
  const rgba = new Uint8ClampedArray(gray.width * gray.height * 4);
  for (let i = 0; i < gray.pixels.length; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray.pixels[i];
    rgba[4 * i + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, gray.width, gray.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
