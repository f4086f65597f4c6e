"""Outgoing mail of the stand-in: `tabEmail Queue` rows sent over SMTP by a worker
(frappe.email.queue.flush), to the server named by the site config's mail_server
and mail_port (Frappe's default outgoing account from site_config.json:
mail_server, mail_port, use_tls, mail_login, mail_password, auto_email_id)."""
import smtplib
from email.message import EmailMessage

import frappe


def flush(site, cursor):
    conf = frappe.get_site_config(site)
    server = conf.get("mail_server")
    cursor.execute("SELECT name, sender, recipient, message FROM `tabEmail Queue` WHERE status = 'Not Sent'")
    rows = cursor.fetchall()
    if not rows or not server:
        return
    with smtplib.SMTP(server, int(conf.get("mail_port") or 25), timeout=20) as smtp:
        # email_account.py get_account_details_from_site_config: use_tls from use_tls or mail_login.
        if conf.get("use_tls") or conf.get("mail_login"):
            smtp.starttls()
        if conf.get("mail_login"):
            smtp.login(conf["mail_login"], conf.get("mail_password") or "")
        for name, sender, recipient, message in rows:
            msg = EmailMessage()
            msg["From"] = sender or conf.get("auto_email_id") or conf.get("mail_login") or "notifications@example.com"
            msg["To"] = recipient
            subject, _, body = (message or "").partition("\n")
            msg["Subject"] = subject
            msg.set_content(body)
            smtp.send_message(msg)
            cursor.execute("UPDATE `tabEmail Queue` SET status = 'Sent' WHERE name = %s", (name,))
