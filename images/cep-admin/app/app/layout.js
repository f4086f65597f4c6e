export const metadata = {
  title: "CEP Admin",
  description: "Panel de marketing de CEP Comunicación",
};

export default function RootLayout({ children }) {
  return (
    <html lang="es">
      <body>{children}</body>
    </html>
  );
}
