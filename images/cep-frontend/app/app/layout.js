export const metadata = {
  title: "CEP Comunicación",
  description: "Cursos y formación",
};

export default function RootLayout({ children }) {
  return (
    <html lang="es">
      <body>{children}</body>
    </html>
  );
}
