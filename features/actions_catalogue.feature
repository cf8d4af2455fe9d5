# language: fr
@concepteurs
Fonctionnalité: Des actions du catalogue dans le processus, sans Python
  Un concepteur ajoute au stage volontaire deux tâches de service prises dans le catalogue des
  actions : une note au dossier, puis l'appel du conducteur confié au groupe « Contrôle » au
  lieu du groupe de son couloir (« Accueil »). Le processus modifié est l'exemple
  features/exemples/actions_catalogue.

  Contexte:
    Étant donné le groupe « Accueil » (accueil) réunit l'agent
    Et le groupe « Contrôle » (controle) réunit les agents agent2
    Et le processus « stage_volontaire » est déployé depuis l'exemple « actions_catalogue »
    Et un permis non probatoire avec 8 points au 01/01/2026
    Et que nous sommes le 02/03/2026

  Scénario: La demande est notée au dossier et l'appel confié au contrôle
    Quand le conducteur demande un stage volontaire
    Alors l'historique du dossier mentionne « Demande de stage volontaire reçue : appeler le conducteur. »
    Et la tâche « Appeler le conducteur » est proposée au groupe « Contrôle »
